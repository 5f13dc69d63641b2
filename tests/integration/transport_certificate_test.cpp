// Certificate problems the fixture's CA cannot produce, served by a local TLS server in the
// test: OpenSSL's reason must reach the user (expired, self-signed, not yet valid).

#include "net/net_errc.hpp"
#include "net/transport.hpp"
#include "tests/integration/scripted_server.hpp"
#include "tests/integration/test_certificate.hpp"
#include "tests/support/coroutine_runner.hpp"
#include "tests/unit/support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace postfach::net {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using asio::ip::tcp;
using postfach::test::make_self_signed_certificate;
using postfach::test::pem_certificate;
using postfach::test::run_until_done;
using postfach::test::scripted_server;
using postfach::test::use_tuple;
using namespace std::chrono_literals;

// Serves TLS with the given certificate and, after a handshake, an IMAP greeting.
class tls_test_server {
public:
    tls_test_server(asio::io_context& io, const pem_certificate& pem)
        : context_(asio::ssl::context::tls_server)
        , server_(io, [this](tcp::socket& socket) -> asio::awaitable<void> {
            asio::ssl::stream<tcp::socket&> tls(socket, context_);
            auto [ec] = co_await tls.async_handshake(asio::ssl::stream_base::server, use_tuple);
            if (!ec)
                co_await asio::async_write(tls, asio::buffer(std::string_view("* OK hi\r\n")),
                                           use_tuple);
        }) {
        context_.use_certificate(asio::buffer(pem.certificate), asio::ssl::context::pem);
        context_.use_private_key(asio::buffer(pem.private_key), asio::ssl::context::pem);
    }
    [[nodiscard]] std::uint16_t port() const { return server_.port(); }

private:
    asio::ssl::context context_;
    scripted_server server_;
};

class transport_certificate_test : public ::testing::Test {
protected:
    // Connects to a server with this certificate; trusts it as its own CA when trust is set.
    std::pair<std::error_code, std::string> connect_to(const pem_certificate& pem, bool trust) {
        tls_test_server server(io_, pem);
        transport_options options;
        options.host = "localhost";
        options.port = server.port();
        options.connect_timeout = 10s;
        options.read_timeout = 10s;
        if (trust) {
            options.ca_file = dir_ / "ca.pem";
            std::ofstream(*options.ca_file) << pem.certificate;
        }
        std::pair<std::error_code, std::string> outcome;
        run_until_done(io_, [&]() -> asio::awaitable<void> {
            transport t(io_.get_executor(), options);
            CO_ASSERT_NO_ERROR(co_await t.connect(), t.diagnostics());
            outcome.first = co_await t.start_tls();
            outcome.second = t.diagnostics();
            if (!outcome.first) {
                std::string greeting;
                CO_ASSERT_NO_ERROR(co_await t.read_line(greeting), t.diagnostics());
                EXPECT_EQ(greeting, "* OK hi");
            }
        });
        return outcome;
    }

    asio::io_context io_;
    postfach::test::temp_dir temp_;
    const fs::path& dir_ = temp_.path();
};

TEST_F(transport_certificate_test, a_trusted_valid_certificate_is_accepted) {
    const auto [ec, diagnostics] = connect_to(make_self_signed_certificate(-1h, 24h), true);
    EXPECT_FALSE(ec) << diagnostics;
}

TEST_F(transport_certificate_test, an_expired_certificate_is_refused_as_expired) {
    const auto [ec, diagnostics] = connect_to(make_self_signed_certificate(-48h, -24h), true);
    EXPECT_EQ(ec, net_errc::certificate_verify_failed);
    EXPECT_EQ(diagnostics, "certificate of localhost not trusted: certificate has expired");
}

TEST_F(transport_certificate_test, a_certificate_not_yet_valid_is_refused) {
    const auto [ec, diagnostics] = connect_to(make_self_signed_certificate(24h, 48h), true);
    EXPECT_EQ(ec, net_errc::certificate_verify_failed);
    EXPECT_NE(diagnostics.find("not yet valid"), std::string::npos) << diagnostics;
}

TEST_F(transport_certificate_test, an_untrusted_self_signed_certificate_is_refused_as_such) {
    const auto [ec, diagnostics] = connect_to(make_self_signed_certificate(-1h, 24h), false);
    EXPECT_EQ(ec, net_errc::certificate_verify_failed);
    EXPECT_NE(diagnostics.find("self-signed certificate"), std::string::npos) << diagnostics;
}

TEST_F(transport_certificate_test, an_unreadable_ca_file_is_its_own_error) {
    tls_test_server server(io_, make_self_signed_certificate(-1h, 24h));
    run_until_done(io_, [&]() -> asio::awaitable<void> {
        transport_options options;
        options.host = "localhost";
        options.port = server.port();
        options.ca_file = dir_ / "missing.pem";
        transport t(io_.get_executor(), options);
        CO_ASSERT_NO_ERROR(co_await t.connect(), t.diagnostics());
        EXPECT_EQ(co_await t.start_tls(), net_errc::ca_file_unreadable);
        EXPECT_NE(t.diagnostics().find("missing.pem"), std::string::npos) << t.diagnostics();
    });
}

} // namespace
} // namespace postfach::net
