// The transport against scripted local TCP servers: line reading, timeouts, closed connections,
// STARTTLS injection. (TLS against a real server is in transport_tls_test.cpp.)

#include "net/net_errc.hpp"
#include "net/transport.hpp"
#include "tests/integration/coroutine_runner.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

namespace postfach::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using postfach::test::run_until_done;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// A one-connection server on 127.0.0.1 that runs script on the accepted socket.
class scripted_server {
public:
    using script = std::function<asio::awaitable<void>(tcp::socket&)>;

    scripted_server(asio::io_context& io, script s)
        : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        asio::co_spawn(
            io,
            [this, s = std::move(s)]() -> asio::awaitable<void> {
                auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
                if (!ec)
                    co_await s(socket);
            },
            asio::detached);
    }
    [[nodiscard]] std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

private:
    tcp::acceptor acceptor_;
};

asio::awaitable<void> send(tcp::socket& socket, std::string_view data) {
    co_await asio::async_write(socket, asio::buffer(data), use_tuple);
}

// Waits for a line from the client (or its disconnect).
asio::awaitable<std::string> receive_line(tcp::socket& socket, asio::streambuf& buffer) {
    auto [ec, n] = co_await asio::async_read_until(socket, buffer, "\r\n", use_tuple);
    if (ec)
        co_return std::string();
    std::string line(asio::buffers_begin(buffer.data()),
                     asio::buffers_begin(buffer.data()) + static_cast<std::ptrdiff_t>(n));
    buffer.consume(n);
    co_return line;
}

asio::awaitable<void> wait_for_disconnect(tcp::socket& socket) {
    char c;
    co_await socket.async_read_some(asio::buffer(&c, 1), use_tuple);
}

transport_options local(std::uint16_t port) {
    transport_options o;
    o.host = "127.0.0.1";
    o.port = port;
    o.read_timeout = std::chrono::seconds(10);
    return o;
}

TEST(transport, reads_lines_exact_counts_and_what_is_available) {
    asio::io_context io;
    scripted_server server(io, [](tcp::socket& s) -> asio::awaitable<void> {
        co_await send(s, "* OK ready\r\n{5}\r\nhel");
        co_await send(s, "lo bare lf\ntail");
        s.close();
    });
    run_until_done(io, [&]() -> asio::awaitable<void> {
        transport t(io.get_executor(), local(server.port()));
        CO_ASSERT_NO_ERROR(co_await t.connect(), t.diagnostics());
        EXPECT_TRUE(t.peer_is_loopback());
        EXPECT_FALSE(t.uses_tls());
        std::string data;
        CO_ASSERT_NO_ERROR(co_await t.read_line(data), t.diagnostics());
        EXPECT_EQ(data, "* OK ready");
        CO_ASSERT_NO_ERROR(co_await t.read_line(data), t.diagnostics());
        EXPECT_EQ(data, "{5}");
        CO_ASSERT_NO_ERROR(co_await t.read_exactly(5, data), t.diagnostics());
        EXPECT_EQ(data, "hello");
        CO_ASSERT_NO_ERROR(co_await t.read_line(data), t.diagnostics());
        EXPECT_EQ(data, " bare lf");
        std::string rest;
        while (rest.size() < 4) {
            CO_ASSERT_NO_ERROR(co_await t.read_some(data), t.diagnostics());
            rest += data;
        }
        EXPECT_EQ(rest, "tail");
        EXPECT_EQ(co_await t.read_some(data), net_errc::connection_closed);
        EXPECT_FALSE(t.is_open());
    });
}

TEST(transport, silent_server_gives_read_timeout) {
    asio::io_context io;
    scripted_server server(io, [](tcp::socket& s) -> asio::awaitable<void> {
        co_await wait_for_disconnect(s); // accepts, says nothing
    });
    run_until_done(io, [&]() -> asio::awaitable<void> {
        auto options = local(server.port());
        options.read_timeout = std::chrono::milliseconds(200);
        transport t(io.get_executor(), options);
        CO_ASSERT_NO_ERROR(co_await t.connect(), t.diagnostics());
        const auto started = std::chrono::steady_clock::now();
        std::string line;
        EXPECT_EQ(co_await t.read_line(line), net_errc::read_timeout);
        EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(200));
        EXPECT_NE(t.diagnostics().find("sent nothing for 200 ms"), std::string::npos)
            << t.diagnostics();
        EXPECT_FALSE(t.is_open());
    });
}

TEST(transport, bytes_after_the_starttls_answer_are_refused_as_injection) {
    asio::io_context io;
    scripted_server server(io, [](tcp::socket& s) -> asio::awaitable<void> {
        asio::streambuf in;
        co_await send(s, "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n");
        if (co_await receive_line(s, in) == "a STARTTLS\r\n")
            co_await send(s, "a OK Begin TLS negotiation now\r\n* OK [CAPABILITY IMAP4rev1 "
                             "AUTH=PLAIN] injected\r\n");
        co_await wait_for_disconnect(s);
    });
    run_until_done(io, [&]() -> asio::awaitable<void> {
        transport t(io.get_executor(), local(server.port()));
        CO_ASSERT_NO_ERROR(co_await t.connect(), t.diagnostics());
        std::string line;
        CO_ASSERT_NO_ERROR(co_await t.read_line(line), t.diagnostics());
        CO_ASSERT_NO_ERROR(co_await t.write("a STARTTLS\r\n"), t.diagnostics());
        CO_ASSERT_NO_ERROR(co_await t.read_line(line), t.diagnostics());
        EXPECT_EQ(line, "a OK Begin TLS negotiation now");
        EXPECT_EQ(co_await t.start_tls(), net_errc::starttls_injection);
        EXPECT_NE(t.diagnostics().find("injected"), std::string::npos) << t.diagnostics();
        EXPECT_FALSE(t.is_open());
        EXPECT_FALSE(t.uses_tls());
    });
}

TEST(transport, refused_connection_names_the_address) {
    asio::io_context io;
    std::uint16_t closed_port = 0;
    {
        tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        closed_port = probe.local_endpoint().port();
    }
    run_until_done(io, [&]() -> asio::awaitable<void> {
        transport t(io.get_executor(), local(closed_port));
        EXPECT_EQ(co_await t.connect(), net_errc::connect_failed);
        EXPECT_NE(t.diagnostics().find("127.0.0.1: Connection refused"), std::string::npos)
            << t.diagnostics();
    });
}

TEST(transport, unknown_host_fails_to_resolve) {
    asio::io_context io;
    run_until_done(io, [&]() -> asio::awaitable<void> {
        auto options = local(143);
        options.host = "no-such-host.invalid";
        transport t(io.get_executor(), options);
        EXPECT_EQ(co_await t.connect(), net_errc::resolve_failed);
        EXPECT_NE(t.diagnostics().find("no-such-host.invalid"), std::string::npos)
            << t.diagnostics();
    });
}

TEST(transport, operations_before_connect_are_refused) {
    asio::io_context io;
    run_until_done(io, [&]() -> asio::awaitable<void> {
        transport t(io.get_executor(), local(1));
        std::string line;
        EXPECT_EQ(co_await t.read_line(line), net_errc::not_connected);
        EXPECT_EQ(co_await t.write("x"), net_errc::not_connected);
        EXPECT_EQ(co_await t.start_tls(), net_errc::not_connected);
    });
}

} // namespace
} // namespace postfach::net
