// The transport against the private Dovecot: verified TLS (implicit and STARTTLS/STLS), the
// refusals that protect the user (untrusted CA, wrong host name), and SASL responses accepted by
// a real server.

#include "net/net_errc.hpp"
#include "net/sasl_exchange.hpp"
#include "net/transport.hpp"
#include "tests/fixture/dovecot_server.hpp"
#include "tests/support/coroutine_runner.hpp"

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sstream>

namespace postfach::net {
namespace {

namespace asio = boost::asio;
using postfach::test::dovecot_server;
using postfach::test::run_until_done;

class transport_tls_test : public ::testing::Test {
protected:
    static void SetUpTestSuite() { server_ = new dovecot_server(); }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }

    static transport_options options(std::uint16_t port, std::string host = "localhost") {
        transport_options o;
        o.host = std::move(host);
        o.port = port;
        o.ca_file = server_->ca_file();
        o.connect_timeout = std::chrono::seconds(10);
        o.read_timeout = std::chrono::seconds(10);
        return o;
    }

    // Reads lines up to and including the tagged completion of tag; returns them joined by \n.
    static asio::awaitable<std::string> read_until_tagged(transport& t, std::string_view tag) {
        std::string all, line;
        while (!co_await t.read_line(line)) {
            all += line + "\n";
            if (line.starts_with(std::string(tag) + " "))
                break;
        }
        co_return all;
    }

    static dovecot_server* server_;
    asio::io_context io_;
};

dovecot_server* transport_tls_test::server_ = nullptr;

TEST_F(transport_tls_test, implicit_tls_with_the_fixture_ca_reads_the_greeting) {
    run_until_done(io_, [&]() -> asio::awaitable<void> {
        transport t(io_.get_executor(), options(server_->imaps_port()));
        CO_ASSERT_NO_ERROR(co_await t.connect(), t.diagnostics());
        CO_ASSERT_NO_ERROR(co_await t.start_tls(), t.diagnostics());
        std::string greeting;
        CO_ASSERT_NO_ERROR(co_await t.read_line(greeting), t.diagnostics());
        EXPECT_TRUE(greeting.starts_with("* OK")) << greeting;
        EXPECT_TRUE(t.uses_tls());
        const auto& info = t.tls_info();
        EXPECT_TRUE(info);
        if (!info)
            co_return;
        EXPECT_TRUE(info->protocol == "TLSv1.3" || info->protocol == "TLSv1.2") << info->protocol;
        EXPECT_FALSE(info->cipher.empty());
        EXPECT_EQ(info->peer_subject, "CN=localhost");
        EXPECT_EQ(info->peer_issuer, "CN=postfach test CA");
        EXPECT_GT(info->peer_not_after, std::chrono::system_clock::now());
        EXPECT_LT(info->peer_not_after, std::chrono::system_clock::now() + std::chrono::hours(72));
        EXPECT_EQ(info->peer_not_after_text.size(), std::string("2026-11-28 06:00:00 UTC").size());
        EXPECT_NE(describe(*info).find(", certificate CN=localhost issued by CN=postfach test CA, "
                                       "valid until "),
                  std::string::npos)
            << describe(*info);
    });
}

TEST_F(transport_tls_test, an_ip_address_is_verified_against_the_ip_subject_alt_name) {
    run_until_done(io_, [&]() -> asio::awaitable<void> {
        transport t(io_.get_executor(), options(server_->imaps_port(), "127.0.0.1"));
        CO_ASSERT_NO_ERROR(co_await t.connect(), t.diagnostics());
        CO_ASSERT_NO_ERROR(co_await t.start_tls(), t.diagnostics());
    });
}

TEST_F(transport_tls_test, system_trust_store_does_not_trust_the_test_ca) {
    run_until_done(io_, [&]() -> asio::awaitable<void> {
        auto o = options(server_->imaps_port());
        o.ca_file.reset();
        transport t(io_.get_executor(), o);
        CO_ASSERT_NO_ERROR(co_await t.connect(), t.diagnostics());
        EXPECT_EQ(co_await t.start_tls(), net_errc::certificate_verify_failed);
        EXPECT_NE(t.diagnostics().find("certificate of localhost not trusted: unable to get local "
                                       "issuer certificate"),
                  std::string::npos)
            << t.diagnostics();
        EXPECT_FALSE(t.is_open());
    });
}

// The system trust store is read through its hashed directory (net/tls_context.cpp): a CA
// there under its subject hash is trusted without ca_file, as update-ca-certificates installs one.
TEST_F(transport_tls_test, a_ca_in_the_hashed_system_directory_is_trusted_without_ca_file) {
    const auto dir =
        std::filesystem::temp_directory_path() /
        fmt::format("postfach-certs-{}", ::testing::UnitTest::GetInstance()->random_seed());
    std::filesystem::create_directories(dir);
    std::ifstream in(server_->ca_file());
    std::stringstream pem;
    pem << in.rdbuf();
    const std::string text = pem.str();
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), &BIO_free);
    std::unique_ptr<X509, decltype(&X509_free)> ca(
        PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
    ASSERT_TRUE(ca);
    std::ofstream(dir / fmt::format("{:08x}.0", X509_subject_name_hash(ca.get()))) << text;
    ::setenv("SSL_CERT_DIR", dir.c_str(), 1);
    run_until_done(io_, [&]() -> asio::awaitable<void> {
        auto o = options(server_->imaps_port());
        o.ca_file.reset();
        transport t(io_.get_executor(), o);
        CO_ASSERT_NO_ERROR(co_await t.connect(), t.diagnostics());
        CO_ASSERT_NO_ERROR(co_await t.start_tls(), t.diagnostics());
        EXPECT_TRUE(t.uses_tls());
    });
    ::unsetenv("SSL_CERT_DIR");
    std::filesystem::remove_all(dir);
}

TEST_F(transport_tls_test, a_name_not_in_the_certificate_fails_hostname_verification) {
    run_until_done(io_, [&]() -> asio::awaitable<void> {
        // "127.1" resolves to 127.0.0.1 but is not an address literal for verification, and the
        // certificate names only localhost and 127.0.0.1.
        transport t(io_.get_executor(), options(server_->imaps_port(), "127.1"));
        CO_ASSERT_NO_ERROR(co_await t.connect(), t.diagnostics());
        EXPECT_EQ(co_await t.start_tls(), net_errc::certificate_verify_failed);
        EXPECT_NE(t.diagnostics().find("hostname mismatch"), std::string::npos) << t.diagnostics();
        EXPECT_FALSE(t.uses_tls());
        EXPECT_FALSE(t.tls_info());
    });
}

TEST_F(transport_tls_test, implicit_tls_on_a_starttls_port_fails_with_a_hint) {
    run_until_done(io_, [&]() -> asio::awaitable<void> {
        transport t(io_.get_executor(), options(server_->imap_port()));
        CO_ASSERT_NO_ERROR(co_await t.connect(), t.diagnostics());
        EXPECT_EQ(co_await t.start_tls(), net_errc::tls_handshake_failed);
        EXPECT_NE(t.diagnostics().find("set tls: starttls"), std::string::npos) << t.diagnostics();
        EXPECT_FALSE(t.uses_tls());
        EXPECT_FALSE(t.is_open());
    });
}

TEST_F(transport_tls_test, imap_starttls_upgrades_and_then_offers_authentication) {
    run_until_done(io_, [&]() -> asio::awaitable<void> {
        transport t(io_.get_executor(), options(server_->imap_port()));
        CO_ASSERT_NO_ERROR(co_await t.connect(), t.diagnostics());
        std::string line;
        CO_ASSERT_NO_ERROR(co_await t.read_line(line), t.diagnostics());
        EXPECT_NE(line.find("STARTTLS"), std::string::npos) << line;
        CO_ASSERT_NO_ERROR(co_await t.write("a STARTTLS\r\n"), t.diagnostics());
        CO_ASSERT_NO_ERROR(co_await t.read_line(line), t.diagnostics());
        EXPECT_TRUE(line.starts_with("a OK")) << line;
        CO_ASSERT_NO_ERROR(co_await t.start_tls(), t.diagnostics());
        CO_ASSERT_NO_ERROR(co_await t.write("b CAPABILITY\r\n"), t.diagnostics());
        const auto answer = co_await read_until_tagged(t, "b");
        EXPECT_NE(answer.find("AUTH=PLAIN"), std::string::npos) << answer;
        EXPECT_NE(answer.find("b OK"), std::string::npos) << answer;
    });
}

TEST_F(transport_tls_test, pop3_stls_upgrades_the_same_way) {
    run_until_done(io_, [&]() -> asio::awaitable<void> {
        transport t(io_.get_executor(), options(server_->pop3_port()));
        CO_ASSERT_NO_ERROR(co_await t.connect(), t.diagnostics());
        std::string line;
        CO_ASSERT_NO_ERROR(co_await t.read_line(line), t.diagnostics());
        EXPECT_TRUE(line.starts_with("+OK")) << line;
        CO_ASSERT_NO_ERROR(co_await t.write("STLS\r\n"), t.diagnostics());
        CO_ASSERT_NO_ERROR(co_await t.read_line(line), t.diagnostics());
        EXPECT_TRUE(line.starts_with("+OK")) << line;
        CO_ASSERT_NO_ERROR(co_await t.start_tls(), t.diagnostics());
        CO_ASSERT_NO_ERROR(co_await t.write("CAPA\r\n"), t.diagnostics());
        std::string capabilities;
        do {
            CO_ASSERT_NO_ERROR(co_await t.read_line(line), t.diagnostics());
            capabilities += line + "\n";
        } while (line != "." && !line.starts_with("-ERR"));
        EXPECT_TRUE(capabilities.starts_with("+OK")) << capabilities;
        EXPECT_NE(capabilities.find("SASL PLAIN LOGIN"), std::string::npos) << capabilities;
    });
}

sasl_exchange exchange_for(config::auth_mechanism mechanism,
                           const postfach::test::dovecot_user& user,
                           std::string_view password = {}) {
    sasl_credentials c;
    c.user = user.name;
    c.secret = secret_string(password.empty() ? user.password : std::string(password));
    return sasl_exchange(make_sasl_mechanism(mechanism, std::move(c)));
}

// After the AUTHENTICATE / AUTH command: answers continuations until the final line, returned.
asio::awaitable<std::string> finish_exchange(transport& t, sasl_exchange& x) {
    std::string line;
    for (;;) {
        if (co_await t.read_line(line))
            co_return "(read failed: " + t.diagnostics() + ")";
        if (line != "+" && !line.starts_with("+ "))
            co_return line;
        std::error_code ec;
        const auto answer =
            x.answer(std::string_view(line).substr(std::min<std::size_t>(2, line.size())), ec);
        if (co_await t.write(std::string(answer.reveal()) + "\r\n"))
            co_return "(write failed: " + t.diagnostics() + ")";
    }
}

// Connects with implicit TLS and reads the greeting.
asio::awaitable<std::error_code> open_tls(transport& t) {
    std::string greeting;
    if (auto ec = co_await t.connect())
        co_return ec;
    if (auto ec = co_await t.start_tls())
        co_return ec;
    co_return co_await t.read_line(greeting);
}

TEST_F(transport_tls_test, dovecot_accepts_plain_with_sasl_ir_and_rejects_a_wrong_password) {
    run_until_done(io_, [&]() -> asio::awaitable<void> {
        transport t(io_.get_executor(), options(server_->imaps_port()));
        CO_ASSERT_NO_ERROR(co_await open_tls(t), t.diagnostics());
        const auto& alice = server_->user("alice");
        auto wrong = exchange_for(config::auth_mechanism::plain, alice, "not-the-password");
        CO_ASSERT_NO_ERROR(co_await t.write("a AUTHENTICATE PLAIN " +
                                            std::string(wrong.initial_argument()->reveal()) +
                                            "\r\n"),
                           t.diagnostics());
        const auto refused = co_await finish_exchange(t, wrong);
        EXPECT_TRUE(refused.starts_with("a NO")) << refused;

        auto right = exchange_for(config::auth_mechanism::plain, alice);
        CO_ASSERT_NO_ERROR(co_await t.write("b AUTHENTICATE PLAIN " +
                                            std::string(right.initial_argument()->reveal()) +
                                            "\r\n"),
                           t.diagnostics());
        const auto accepted = co_await finish_exchange(t, right);
        EXPECT_TRUE(accepted.starts_with("b OK")) << accepted;
    });
}

TEST_F(transport_tls_test, dovecot_accepts_plain_without_sasl_ir) {
    run_until_done(io_, [&]() -> asio::awaitable<void> {
        transport t(io_.get_executor(), options(server_->imaps_port()));
        CO_ASSERT_NO_ERROR(co_await open_tls(t), t.diagnostics());
        auto x = exchange_for(config::auth_mechanism::plain, server_->user("carol"));
        CO_ASSERT_NO_ERROR(co_await t.write("a AUTHENTICATE PLAIN\r\n"), t.diagnostics());
        const auto final_line = co_await finish_exchange(t, x);
        EXPECT_TRUE(final_line.starts_with("a OK")) << final_line;
    });
}

TEST_F(transport_tls_test, dovecot_accepts_login_answering_its_two_challenges) {
    run_until_done(io_, [&]() -> asio::awaitable<void> {
        transport t(io_.get_executor(), options(server_->imaps_port()));
        CO_ASSERT_NO_ERROR(co_await open_tls(t), t.diagnostics());
        auto x = exchange_for(config::auth_mechanism::login, server_->user("bob"));
        EXPECT_FALSE(x.initial_argument());
        CO_ASSERT_NO_ERROR(co_await t.write("a AUTHENTICATE LOGIN\r\n"), t.diagnostics());
        const auto final_line = co_await finish_exchange(t, x);
        EXPECT_TRUE(final_line.starts_with("a OK")) << final_line;
    });
}

TEST_F(transport_tls_test, dovecot_pop3_accepts_auth_plain_with_an_initial_response) {
    run_until_done(io_, [&]() -> asio::awaitable<void> {
        transport t(io_.get_executor(), options(server_->pop3s_port()));
        CO_ASSERT_NO_ERROR(co_await open_tls(t), t.diagnostics());
        auto x = exchange_for(config::auth_mechanism::plain, server_->user("alice"));
        CO_ASSERT_NO_ERROR(
            co_await t.write("AUTH PLAIN " + std::string(x.initial_argument()->reveal()) + "\r\n"),
            t.diagnostics());
        const auto final_line = co_await finish_exchange(t, x);
        EXPECT_TRUE(final_line.starts_with("+OK")) << final_line;
    });
}

} // namespace
} // namespace postfach::net
