#include "net/fake_stream.hpp"
#include "net/net_errc.hpp"
#include "tests/support/coroutine_runner.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace postfach::net {
namespace {

namespace asio = boost::asio;
using postfach::test::run_until_done;

TEST(fake_stream, replays_server_data_and_records_what_the_client_wrote) {
    asio::io_context io;
    fake_stream s;
    s.feed("* OK rea");
    s.feed("dy\r\n{3}\r\nab");
    s.feed("c tail");
    run_until_done(io, [&]() -> asio::awaitable<void> {
        std::string data;
        CO_ASSERT_NO_ERROR(co_await s.read_line(data), s.diagnostics());
        EXPECT_EQ(data, "* OK ready");
        CO_ASSERT_NO_ERROR(co_await s.write("a NOOP\r\n"), s.diagnostics());
        CO_ASSERT_NO_ERROR(co_await s.read_line(data), s.diagnostics());
        EXPECT_EQ(data, "{3}");
        CO_ASSERT_NO_ERROR(co_await s.read_exactly(3, data), s.diagnostics());
        EXPECT_EQ(data, "abc");
        CO_ASSERT_NO_ERROR(co_await s.read_some(data), s.diagnostics());
        EXPECT_EQ(data, " tail");
        EXPECT_EQ(co_await s.read_some(data), net_errc::connection_closed);
        EXPECT_FALSE(s.is_open());
    });
    EXPECT_EQ(s.take_written(), "a NOOP\r\n");
    EXPECT_EQ(s.take_written(), "");
    EXPECT_EQ(s.operations(), 6u);
}

TEST(fake_stream, injects_an_error_at_a_chosen_operation) {
    asio::io_context io;
    fake_stream s;
    s.feed("* OK\r\n+OK\r\n");
    s.fail_operation(1, net_errc::read_timeout);
    run_until_done(io, [&]() -> asio::awaitable<void> {
        std::string line;
        CO_ASSERT_NO_ERROR(co_await s.read_line(line), s.diagnostics());
        EXPECT_EQ(co_await s.read_line(line), net_errc::read_timeout);
        EXPECT_NE(s.diagnostics().find("operation 1"), std::string::npos) << s.diagnostics();
        EXPECT_EQ(co_await s.write("x"), net_errc::not_connected);
    });
}

TEST(fake_stream, starttls_with_unread_server_data_is_an_injection) {
    asio::io_context io;
    fake_stream clean, injected;
    clean.feed("a OK begin TLS\r\n");
    injected.feed("a OK begin TLS\r\n* OK injected\r\n");
    run_until_done(io, [&]() -> asio::awaitable<void> {
        std::string line;
        CO_ASSERT_NO_ERROR(co_await clean.read_line(line), clean.diagnostics());
        CO_ASSERT_NO_ERROR(co_await clean.start_tls(), clean.diagnostics());
        EXPECT_TRUE(clean.uses_tls());
        CO_ASSERT_NO_ERROR(co_await injected.read_line(line), injected.diagnostics());
        EXPECT_EQ(co_await injected.start_tls(), net_errc::starttls_injection);
        EXPECT_FALSE(injected.uses_tls());
    });
}

} // namespace
} // namespace postfach::net
