// The transport against scripted local TCP servers: line reading, timeouts, closed connections,
// STARTTLS injection. (TLS against a real server is in transport_tls_test.cpp.)

#include "net/net_errc.hpp"
#include "net/transport.hpp"
#include "tests/integration/scripted_server.hpp"
#include "tests/support/coroutine_runner.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <gtest/gtest.h>

namespace postfach::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using postfach::test::receive_line;
using postfach::test::run_until_done;
using postfach::test::scripted_server;
using postfach::test::send;
using postfach::test::wait_for_disconnect;

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

TEST(transport, the_read_timeout_counts_from_each_read) {
    // One timer watches every deadline: reads that each come within the timeout never time
    // out, however long they take together; the silence after them does.
    asio::io_context io;
    scripted_server server(io, [](tcp::socket& s) -> asio::awaitable<void> {
        asio::steady_timer pause(co_await asio::this_coro::executor);
        for (int i = 0; i < 6; ++i) {
            pause.expires_after(std::chrono::milliseconds(120));
            co_await pause.async_wait(postfach::test::use_tuple);
            co_await send(s, "* line\r\n");
        }
        co_await wait_for_disconnect(s);
    });
    run_until_done(io, [&]() -> asio::awaitable<void> {
        auto options = local(server.port());
        options.read_timeout = std::chrono::milliseconds(300);
        transport t(io.get_executor(), options);
        CO_ASSERT_NO_ERROR(co_await t.connect(), t.diagnostics());
        const auto started = std::chrono::steady_clock::now();
        std::string line;
        for (int i = 0; i < 6; ++i)
            CO_ASSERT_NO_ERROR(co_await t.read_line(line), t.diagnostics());
        EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(600));
        const auto silent_since = std::chrono::steady_clock::now();
        EXPECT_EQ(co_await t.read_line(line), net_errc::read_timeout);
        EXPECT_GE(std::chrono::steady_clock::now() - silent_since, std::chrono::milliseconds(300));
        EXPECT_FALSE(t.is_open());
    });
}

TEST(transport, a_closed_transport_leaves_no_timer_behind) {
    // The watchdog of the last read must not keep the event loop running until its deadline.
    asio::io_context io;
    scripted_server server(io, [](tcp::socket& s) -> asio::awaitable<void> {
        co_await send(s, "* OK\r\n");
        co_await wait_for_disconnect(s);
    });
    auto options = local(server.port());
    options.read_timeout = std::chrono::seconds(30);
    transport t(io.get_executor(), options); // outlives the coroutine
    run_until_done(io, [&]() -> asio::awaitable<void> {
        CO_ASSERT_NO_ERROR(co_await t.connect(), t.diagnostics());
        std::string line;
        CO_ASSERT_NO_ERROR(co_await t.read_line(line), t.diagnostics());
        t.close();
    });
    const auto before = std::chrono::steady_clock::now();
    io.run_for(std::chrono::seconds(20));
    EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(10));
}

TEST(transport, server_that_takes_no_data_gives_write_timeout) {
    asio::io_context io;
    scripted_server server(io, [](tcp::socket&) -> asio::awaitable<void> {
        // Never reads: once the socket buffers are full, the client's write blocks.
        asio::steady_timer forever(co_await asio::this_coro::executor, std::chrono::hours(1));
        co_await forever.async_wait(postfach::test::use_tuple);
    });
    run_until_done(io, [&]() -> asio::awaitable<void> {
        auto options = local(server.port());
        options.write_timeout = std::chrono::milliseconds(300);
        transport t(io.get_executor(), options);
        CO_ASSERT_NO_ERROR(co_await t.connect(), t.diagnostics());
        const std::string flood(64 * 1024 * 1024, 'x');
        EXPECT_EQ(co_await t.write(flood), net_errc::write_timeout);
        EXPECT_NE(t.diagnostics().find("did not accept data for 300 ms"), std::string::npos)
            << t.diagnostics();
        EXPECT_FALSE(t.is_open());
    });
}

TEST(transport, unanswered_connect_gives_connect_timeout) {
    asio::io_context io;
    // A listener with a full accept queue drops further SYNs, so connecting hangs.
    tcp::acceptor full(io);
    full.open(tcp::v4());
    full.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    full.listen(0);
    tcp::socket filler(io);
    filler.connect(full.local_endpoint());
    run_until_done(io, [&]() -> asio::awaitable<void> {
        auto options = local(full.local_endpoint().port());
        options.connect_timeout = std::chrono::milliseconds(300);
        transport t(io.get_executor(), options);
        EXPECT_EQ(co_await t.connect(), net_errc::connect_timeout);
        EXPECT_NE(t.diagnostics().find("took longer than 300 ms"), std::string::npos)
            << t.diagnostics();
        EXPECT_FALSE(t.is_open());
    });
}

TEST(transport, cancelling_the_calling_coroutine_ends_a_pending_read) {
    // The daemon cancels an account's whole coroutine tree on SIGTERM; a read waiting on a
    // silent server must end then, not at its timeout.
    asio::io_context io;
    asio::cancellation_signal cancel;
    bool client_done = false;
    scripted_server server(io, [&](tcp::socket& s) -> asio::awaitable<void> {
        asio::streambuf in;
        co_await send(s, "* OK\r\n");
        co_await receive_line(s, in); // the client now waits for more
        while (!client_done) {
            cancel.emit(asio::cancellation_type::terminal);
            co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
        }
    });
    std::error_code read_result;
    const auto started = std::chrono::steady_clock::now();
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            // Errors as values here; by default Asio would throw operation_aborted instead.
            co_await asio::this_coro::throw_if_cancelled(false);
            auto options = local(server.port());
            options.read_timeout = std::chrono::seconds(30);
            transport t(io.get_executor(), options);
            CO_ASSERT_NO_ERROR(co_await t.connect(), t.diagnostics());
            std::string line;
            CO_ASSERT_NO_ERROR(co_await t.read_line(line), t.diagnostics());
            CO_ASSERT_NO_ERROR(co_await t.write("waiting\r\n"), t.diagnostics());
            read_result = co_await t.read_line(line);
        },
        asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e) {
            client_done = true;
            EXPECT_FALSE(e) << "with throw_if_cancelled(false) nothing throws";
        }));
    io.run_for(std::chrono::seconds(20));
    ASSERT_TRUE(client_done);
    EXPECT_EQ(read_result, std::errc::operation_canceled) << read_result.message();
    EXPECT_TRUE(is_transient(read_result)); // a cancelled read is no configuration problem
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
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
