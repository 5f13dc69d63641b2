// client_session::idle() from transcripts: the server wakes the client (EXISTS), the caller
// wakes it (DONE), keep-alives do not wake, a refused IDLE, and a connection lost while idling.

#include "imap/client_session.hpp"
#include "imap/imap_errc.hpp"
#include "net/net_errc.hpp"
#include "tests/support/coroutine_runner.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <gtest/gtest.h>
#include <optional>

namespace postfach::imap {
namespace {

namespace asio = boost::asio;
using postfach::test::run_until_done;

// A server script in two parts: what arrives before the client sends DONE, and what arrives
// only after it (a real server answers DONE; it cannot send its OK earlier). A read with
// nothing left before DONE waits for the DONE; with nothing left at all the connection closes.
class idle_stream final : public net::byte_stream {
public:
    idle_stream(asio::io_context& io, std::deque<std::string> before_done,
                std::deque<std::string> after_done)
        : before_(std::move(before_done))
        , after_(std::move(after_done))
        , done_written_(io, std::chrono::steady_clock::time_point::max()) {}

    asio::awaitable<std::error_code> start_tls() override {
        co_return net::net_errc::connection_closed;
    }
    asio::awaitable<std::error_code> write(std::string_view data) override {
        written += data;
        if (data == "DONE\r\n") {
            for (auto& a : after_)
                before_.push_back(std::move(a));
            after_.clear();
            done_written_.cancel();
        }
        co_return std::error_code();
    }
    asio::awaitable<std::error_code> read_line(std::string&) override {
        co_return net::net_errc::connection_closed;
    }
    asio::awaitable<std::error_code> read_exactly(std::size_t, std::string&) override {
        co_return net::net_errc::connection_closed;
    }
    asio::awaitable<std::error_code> read_some(std::string& data) override {
        if (before_.empty() && !after_.empty()) {
            auto [ec] = co_await done_written_.async_wait(asio::as_tuple(asio::use_awaitable));
            (void)ec;
        }
        if (before_.empty())
            co_return net::net_errc::connection_closed;
        data = std::move(before_.front());
        before_.pop_front();
        co_return std::error_code();
    }
    void close() override {}
    bool uses_tls() const override { return true; }
    bool peer_is_loopback() const override { return true; }
    const std::string& diagnostics() const override { return diagnostics_; }

    std::string written;

private:
    std::deque<std::string> before_;
    std::deque<std::string> after_;
    asio::steady_timer done_written_;
    std::string diagnostics_;
};

const std::string greeting_and_login = "* PREAUTH [CAPABILITY IMAP4rev1 IDLE] ready\r\n";

struct idle_outcome {
    std::error_code ec;
    idle_result result;
    std::string written;
    bool caller_woke = false;
};

// Opens a PREAUTH session and idles; the caller's wake-up fires after `caller_wake` (never
// when empty).
idle_outcome run_idle(std::deque<std::string> before_done, std::deque<std::string> after_done,
                      std::optional<std::chrono::milliseconds> caller_wake) {
    asio::io_context io;
    before_done.push_front(greeting_and_login);
    idle_stream stream(io, std::move(before_done), std::move(after_done));
    client_session session(stream, session_options{}, "test");
    idle_outcome out;
    run_until_done(io, [&]() -> asio::awaitable<void> {
        CO_ASSERT_NO_ERROR(co_await session.open(), session.diagnostics());
        out.ec = co_await session.idle(
            [&]() -> asio::awaitable<void> {
                asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::hours(1));
                if (caller_wake)
                    timer.expires_after(*caller_wake);
                co_await timer.async_wait(asio::use_awaitable);
                out.caller_woke = true;
            },
            out.result);
    });
    out.written = stream.written;
    return out;
}

TEST(client_session_idle, new_mail_wakes_the_client_which_sends_done) {
    const auto r = run_idle({"+ idling\r\n", "* 5 EXISTS\r\n* 1 RECENT\r\n"},
                            {"A1 OK Idle completed.\r\n"}, std::nullopt);
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.written, "A1 IDLE\r\nDONE\r\n");
    EXPECT_TRUE(r.result.server_woke);
    EXPECT_FALSE(r.caller_woke);
    EXPECT_EQ(r.result.untagged.size(), 2u);
}

TEST(client_session_idle, the_caller_wakes_it_and_keepalives_do_not) {
    const auto r = run_idle({"+ idling\r\n", "* OK Still here\r\n"}, {"A1 OK Idle completed.\r\n"},
                            std::chrono::milliseconds(1));
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.written, "A1 IDLE\r\nDONE\r\n");
    EXPECT_FALSE(r.result.server_woke);
    EXPECT_TRUE(r.caller_woke);
}

TEST(client_session_idle, data_in_the_same_read_as_the_continuation_wakes_it) {
    const auto r = run_idle({"+ idling\r\n* 3 EXPUNGE\r\n"}, {"A1 OK done\r\n"}, std::nullopt);
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.written, "A1 IDLE\r\nDONE\r\n");
    EXPECT_TRUE(r.result.server_woke);
}

TEST(client_session_idle, a_refused_idle_is_command_failed) {
    const auto r = run_idle({"A1 BAD Unknown command\r\n"}, {}, std::nullopt);
    EXPECT_EQ(r.ec, imap_errc::command_failed);
    EXPECT_EQ(r.written, "A1 IDLE\r\n");
}

TEST(client_session_idle, a_connection_lost_while_idling_is_an_error) {
    const auto r = run_idle({"+ idling\r\n"}, {}, std::nullopt);
    EXPECT_EQ(r.ec, net::net_errc::connection_closed);
    EXPECT_EQ(r.written, "A1 IDLE\r\n") << "no DONE on a closed connection";
}

TEST(client_session_idle, a_bye_while_idling_ends_the_session) {
    const auto r = run_idle({"+ idling\r\n", "* BYE Server shutting down\r\n"}, {}, std::nullopt);
    EXPECT_EQ(r.ec, imap_errc::server_bye);
}

} // namespace
} // namespace postfach::imap
