// The POP3 fetch pass against the fixture Dovecot over POP3S (implicit TLS, the test CA):
// leave on server, second pass, new mail, leave_on_server false, delete_after_days with a test
// clock, and passes cut off mid-way then re-run (every message exactly once).

#include "net/net_errc.hpp"
#include "net/transport.hpp"
#include "pop3/client.hpp"
#include "pop3/pop3_fetcher.hpp"
#include "tests/fixture/dovecot_server.hpp"
#include "tests/support/coroutine_runner.hpp"
#include "tests/unit/support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <sstream>

namespace postfach::pop3 {
namespace {

using postfach::test::dovecot_server;
using postfach::test::make_message;

// Forwards to a transport, and loses the connection once more than `limit` bytes were read.
class cut_stream final : public net::byte_stream {
public:
    cut_stream(net::byte_stream& inner, std::size_t limit)
        : inner_(inner)
        , limit_(limit) {}
    boost::asio::awaitable<std::error_code> start_tls() override { return inner_.start_tls(); }
    boost::asio::awaitable<std::error_code> write(std::string_view data) override {
        return inner_.write(data);
    }
    boost::asio::awaitable<std::error_code> read_line(std::string& line) override {
        return inner_.read_line(line);
    }
    boost::asio::awaitable<std::error_code> read_exactly(std::size_t n,
                                                         std::string& data) override {
        return inner_.read_exactly(n, data);
    }
    boost::asio::awaitable<std::error_code> read_some(std::string& data) override {
        if (read_ >= limit_) {
            inner_.close();
            co_return make_error_code(net::net_errc::connection_closed);
        }
        if (auto ec = co_await inner_.read_some(data))
            co_return ec;
        if (read_ + data.size() > limit_)
            data.resize(limit_ - read_); // what got through before the cut
        read_ += data.size();
        co_return std::error_code{};
    }
    void close() override { inner_.close(); }
    [[nodiscard]] bool uses_tls() const override { return inner_.uses_tls(); }
    [[nodiscard]] bool peer_is_loopback() const override { return inner_.peer_is_loopback(); }
    [[nodiscard]] const std::string& diagnostics() const override { return inner_.diagnostics(); }

private:
    net::byte_stream& inner_;
    std::size_t limit_;
    std::size_t read_ = 0;
};

class pop3_fetch_test : public ::testing::Test {
protected:
    pop3_fetch_test() {
        for (const char* sub : {"tmp", "new", "cur"})
            std::filesystem::create_directories(inbox_ / sub);
        EXPECT_FALSE(state::state_store::open(dir_.path() / "state.sqlite", store_));
        server_.host = "localhost";
        server_.port = dovecot_.pop3s_port();
        server_.tls = config::tls_mode::implicit;
        server_.ca_file = dovecot_.ca_file();
        server_.user = "alice";
        server_.secret.password = secret_string(dovecot_.user("alice").password);
    }

    // One pass through fetch_account.
    fetch_result pass(fetch_options options = {}) {
        fetch_result result;
        boost::asio::io_context io;
        test::run_until_done(io, [&]() -> boost::asio::awaitable<void> {
            std::string diagnostics;
            CO_ASSERT_NO_ERROR(co_await fetch_account(server_, "alice", store_, inbox_, options,
                                                      result, diagnostics),
                               diagnostics);
        });
        return result;
    }

    // A pass whose connection is lost after `limit` bytes from the server. Returns its error.
    std::error_code cut_pass(std::size_t limit, fetch_options options) {
        std::error_code result;
        boost::asio::io_context io;
        test::run_until_done(io, [&]() -> boost::asio::awaitable<void> {
            net::transport t(co_await boost::asio::this_coro::executor,
                             net::transport_options_for(server_));
            std::string diagnostics;
            CO_ASSERT_NO_ERROR(co_await connect_pop3(t, server_, diagnostics), diagnostics);
            cut_stream cut(t, limit);
            client c(cut, session_options_for(server_, cut, server_.secret.password), "alice");
            if ((result = co_await c.open()))
                co_return;
            pop3_fetcher f(c, store_, inbox_, options);
            fetch_result r;
            result = co_await f.run(r);
            EXPECT_EQ(r.retry_later, static_cast<bool>(result)) << result.message();
        });
        return result;
    }

    // The Maildir's messages (LF, as stored) and how often each is there.
    std::map<std::string, int> local_messages() const {
        std::map<std::string, int> out;
        for (const char* sub : {"new", "cur"})
            for (const auto& e : std::filesystem::directory_iterator(inbox_ / sub)) {
                std::ifstream in(e.path(), std::ios::binary);
                std::stringstream s;
                s << in.rdbuf();
                ++out[s.str()];
            }
        return out;
    }

    static std::string lf(std::string_view s) {
        std::string out;
        for (char c : s)
            if (c != '\r')
                out += c;
        return out;
    }

    static std::map<std::string, int> once_each(const std::vector<std::string>& messages) {
        std::map<std::string, int> out;
        for (const auto& m : messages)
            out[lf(m)] = 1;
        return out;
    }

    dovecot_server dovecot_;
    test::temp_dir dir_;
    std::filesystem::path inbox_ = dir_.path() / "Maildir";
    state::state_store store_;
    config::server_config server_;
};

TEST_F(pop3_fetch_test, leave_on_server_fetches_once_and_new_mail_later) {
    std::vector<std::string> messages{make_message("one"), make_message("two"),
                                      make_message("dots", ".a\r\n..b\r\n.\r\nend\r\n")};
    for (const auto& m : messages)
        dovecot_.add_message("alice", "INBOX", m);

    auto first = pass();
    EXPECT_EQ(first.fetched, 3u);
    EXPECT_EQ(first.deleted, 0u);
    EXPECT_EQ(local_messages(), once_each(messages));
    EXPECT_EQ(dovecot_.message_count("alice", "INBOX"), 3u);

    EXPECT_EQ(pass().fetched, 0u);
    EXPECT_EQ(local_messages(), once_each(messages));

    messages.push_back(make_message("four"));
    dovecot_.add_message("alice", "INBOX", messages.back());
    const auto third = pass();
    EXPECT_EQ(third.fetched, 1u);
    EXPECT_EQ(third.bytes, messages.back().size());
    EXPECT_EQ(local_messages(), once_each(messages));
    EXPECT_EQ(dovecot_.message_count("alice", "INBOX"), 4u);
}

TEST_F(pop3_fetch_test, leave_on_server_false_deletes_after_storing) {
    std::vector<std::string> messages{make_message("one"), make_message("two")};
    for (const auto& m : messages)
        dovecot_.add_message("alice", "INBOX", m);
    fetch_options o;
    o.leave_on_server = false;
    const auto r = pass(o);
    EXPECT_EQ(r.fetched, 2u);
    EXPECT_EQ(r.deleted, 2u);
    EXPECT_EQ(dovecot_.message_count("alice", "INBOX"), 0u);
    EXPECT_EQ(local_messages(), once_each(messages));
}

TEST_F(pop3_fetch_test, delete_after_days_deletes_only_old_copies) {
    const auto day = std::chrono::hours(24);
    const auto start = std::chrono::system_clock::now();
    fetch_options o;
    o.delete_after_days = 3;
    o.now = start;
    dovecot_.add_message("alice", "INBOX", make_message("old"));
    EXPECT_EQ(pass(o).fetched, 1u);

    o.now = start + 2 * day;
    dovecot_.add_message("alice", "INBOX", make_message("newer"));
    auto r = pass(o);
    EXPECT_EQ(r.fetched, 1u);
    EXPECT_EQ(r.deleted, 0u);
    EXPECT_EQ(dovecot_.message_count("alice", "INBOX"), 2u);

    o.now = start + 3 * day; // the first is 3 days old, the second 1 day
    r = pass(o);
    EXPECT_EQ(r.deleted, 1u);
    EXPECT_EQ(dovecot_.message_count("alice", "INBOX"), 1u);

    o.now = start + 5 * day;
    r = pass(o);
    EXPECT_EQ(r.fetched, 0u);
    EXPECT_EQ(r.deleted, 1u);
    EXPECT_EQ(dovecot_.message_count("alice", "INBOX"), 0u);
    EXPECT_EQ(local_messages().size(), 2u);
}

TEST_F(pop3_fetch_test, crash_after_the_maildir_commit_then_rerun_gives_no_duplicate) {
    std::vector<std::string> messages{make_message("one"), make_message("two"),
                                      make_message("three")};
    for (const auto& m : messages)
        dovecot_.add_message("alice", "INBOX", m);
    fetch_options crash;
    crash.batch_size = 2;
    crash.hooks.stop_after_maildir_commit = true;
    boost::asio::io_context io;
    test::run_until_done(io, [&]() -> boost::asio::awaitable<void> {
        fetch_result result;
        std::string diagnostics;
        EXPECT_EQ(
            co_await fetch_account(server_, "alice", store_, inbox_, crash, result, diagnostics),
            std::errc::interrupted);
    });
    EXPECT_EQ(local_messages().size(), 2u); // the first batch
    fetch_options o;
    o.leave_on_server = false;
    const auto r = pass(o);
    EXPECT_EQ(r.fetched, 1u);
    EXPECT_EQ(r.deleted, 3u);
    EXPECT_EQ(local_messages(), once_each(messages));
}

TEST_F(pop3_fetch_test, passes_cut_mid_way_then_rerun_give_each_message_once) {
    std::vector<std::string> messages;
    std::vector<dovecot_server::message_spec> specs;
    for (int i = 0; i < 10; ++i) {
        messages.push_back(make_message("m" + std::to_string(i), std::string(300, 'x') + "\r\n"));
        specs.push_back({messages.back(), {}});
    }
    dovecot_.add_messages("alice", "INBOX", specs);
    fetch_options o;
    o.batch_size = 3;
    o.leave_on_server = false; // deletions must also never lose a message
    std::size_t cuts = 0;
    // The login takes well under 1500 bytes; each message about 500: cut at many points.
    for (std::size_t limit = 1500; limit < 8000; limit += 777) {
        SCOPED_TRACE("cut after " + std::to_string(limit) + " bytes");
        const auto ec = cut_pass(limit, o);
        if (ec) {
            ++cuts;
            EXPECT_TRUE(is_transient_failure(ec)) << ec.message();
        }
        for (const auto& [text, count] : local_messages())
            EXPECT_EQ(count, 1) << text;
    }
    EXPECT_GT(cuts, 2u);
    pass(o);
    EXPECT_EQ(local_messages(), once_each(messages));
    EXPECT_EQ(dovecot_.message_count("alice", "INBOX"), 0u);
}

} // namespace
} // namespace postfach::pop3
