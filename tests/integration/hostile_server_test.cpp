// A hostile server: `postfach sync` against a scripted IMAP server that, at one command, sends
// garbage, a {4294967295} literal, 10,000-deep parentheses, an endless line, or BYE in the
// middle of a FETCH. Each must end in a clean error naming the command, the connection dropped
// (the client sends nothing more), memory bounded (peak RSS close to that of a good run: the
// parser's limits hold), and the state intact: the next run against a good server syncs the
// message exactly once. The POP3 client gets an endless line and an endless listing.

#include "pop3/pop3_errc.hpp"
#include "pop3/pop3_fetcher.hpp"
#include "pop3/response_parser.hpp"
#include "state/state_store.hpp"
#include "tests/integration/postfach_binary.hpp"
#include "tests/integration/scripted_server.hpp"
#include "tests/support/coroutine_runner.hpp"

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <thread>

namespace postfach::test {
namespace {

namespace fs = std::filesystem;

// Peak RSS a hostile run may add over a good run: well below what the payloads would cost if a
// limit failed (the endless line and the literal are 128 MiB each), well above the parser's
// 1 MiB line and the allocator's noise (the sanitizer build has more of it).
constexpr long allowed_growth_kib = 48 * 1024;
constexpr std::size_t flood = std::size_t{128} << 20;

class hostile_imap : public postfach_binary_test {
protected:
    // Runs `postfach sync` against a fake server with `hook`; returns the run and its peak RSS.
    run_output sync_against(fake_imap_mailbox& mailbox, long& peak_rss_kib) {
        boost::asio::io_context io;
        scripted_server server(io, [&](tcp::socket& socket) { return mailbox.serve(socket); });
        std::thread server_thread([&] { io.run(); });
        const auto config = write_config(fmt::format("accounts:\n  - name: work\n"
                                                     "    maildir: ~/Mail\n    imap:\n"
                                                     "      host: 127.0.0.1\n      port: {}\n"
                                                     "      tls: none\n      user: alice\n"
                                                     "      password: \"s3cret-pw\"\n",
                                                     server.port()));
        auto r = postfach_measured({"--config", config.string(), "sync"}, peak_rss_kib);
        server.stop_accepting();
        server_thread.join();
        return r;
    }

    // Message files in the Maildir's INBOX (new/ and cur/), and whether tmp/ is empty.
    std::size_t messages() const {
        std::size_t n = 0;
        for (const char* sub : {"new", "cur"})
            if (fs::exists(dir_ / "Mail" / sub))
                for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_ / "Mail" / sub))
                    ++n;
        return n;
    }
    bool tmp_is_empty() const {
        return !fs::exists(dir_ / "Mail/tmp") || fs::is_empty(dir_ / "Mail/tmp");
    }

    // The whole scenario: a hostile run when the client sends a command containing `trigger`,
    // then a good run. `payload` is sent instead of the answer (`then_flood`: followed by an
    // endless stream of that many bytes of 'x'). `server_closes`: then the server closes its
    // side, as after BYE; otherwise the client must drop the connection itself. `body_complete`:
    // the payload holds the whole message in a closed FETCH response, so keeping it (durably,
    // once) is as right as dropping it; the good run must still end with exactly one.
    // `pipelined`: a command the client sends together with the trigger, before any answer
    // (a full scan's UID FETCH 1:* behind its SELECT), which is not talking on after the error.
    void expect_clean_failure(const std::string& trigger, std::string payload,
                              std::size_t then_flood, const std::string& command_named,
                              bool server_closes = false, bool body_complete = false,
                              const std::string& pipelined = {}) {
        fake_imap_mailbox hostile;
        bool triggered = false;
        hostile.hook = [&](tcp::socket& socket, std::string,
                           std::string command) -> asio::awaitable<bool> {
            if (command.find(trigger) == std::string::npos)
                co_return false;
            triggered = true;
            co_await send(socket, payload);
            if (then_flood > 0)
                co_await send_repeated(socket, std::string(64 * 1024, 'x'), then_flood);
            if (server_closes) {
                boost::system::error_code ignored;
                socket.shutdown(tcp::socket::shutdown_send, ignored);
            }
            co_return true;
        };
        long hostile_rss = 0;
        const auto bad = sync_against(hostile, hostile_rss);
        ASSERT_TRUE(triggered) << "the client never sent " << trigger << "; it sent:\n"
                               << fmt::format("{}", fmt::join(hostile.commands, "\n"));
        EXPECT_TRUE(bad.exit_code == 1 || bad.exit_code == 75) << bad.exit_code << bad.err;
        EXPECT_NE(bad.err.find(command_named), std::string::npos)
            << "the error does not name " << command_named << ":\n"
            << bad.err;
        EXPECT_EQ(bad.err.find("s3cret-pw"), std::string::npos) << bad.err;
        std::string talked_on; // what the client sent after the trigger, but the pipelined
        std::istringstream sent_after(hostile.after_hook);
        for (std::string line; std::getline(sent_after, line);)
            if (pipelined.empty() || line.find(pipelined) == std::string::npos)
                talked_on += line + "\n";
        EXPECT_EQ(talked_on, "") << "the client went on talking to a broken server";
        EXPECT_LE(messages(), body_complete ? 1u : 0u);
        EXPECT_TRUE(tmp_is_empty());

        fake_imap_mailbox good;
        long good_rss = 0;
        const auto fine = sync_against(good, good_rss);
        EXPECT_EQ(fine.exit_code, 0) << fine.out << fine.err;
        EXPECT_TRUE(good.logged_out);
        EXPECT_EQ(messages(), 1u) << "the state after the failure must let the message in once";
        EXPECT_TRUE(tmp_is_empty());
        ASSERT_GT(hostile_rss, 0);
        ASSERT_GT(good_rss, 0);
        EXPECT_LT(hostile_rss, good_rss + allowed_growth_kib)
            << "peak RSS " << hostile_rss << " KiB against " << good_rss << " KiB for a good run";
    }
};

TEST_F(hostile_imap, garbage_instead_of_a_list_answer) {
    expect_clean_failure("LIST", std::string("\x16\x03\x01\x00\xff garbage \xfe\x80\r\n", 19), 0,
                         "LIST");
}

TEST_F(hostile_imap, literal_of_four_gigabytes_in_a_fetch) {
    expect_clean_failure("BODY.PEEK[]", "* 1 FETCH (UID 1 BODY[] {4294967295}\r\n", flood, "FETCH");
}

TEST_F(hostile_imap, parentheses_ten_thousand_deep) {
    expect_clean_failure("(FLAGS RFC822.SIZE",
                         "* 1 FETCH (UID 1 FLAGS " + std::string(10000, '(') +
                             std::string(10000, ')') + ")\r\n",
                         0, "FETCH");
}

TEST_F(hostile_imap, endless_line_answering_select) {
    expect_clean_failure("SELECT", "* OK ", flood, "SELECT", false, false, "UID FETCH 1:*");
}

TEST_F(hostile_imap, bye_after_the_body_before_the_fetch_completes) {
    const fake_imap_mailbox m;
    expect_clean_failure(
        "BODY.PEEK[]",
        fmt::format("* 1 FETCH (UID 1 BODY[] {{{}}}\r\n{})\r\n* BYE going down\r\n",
                    m.message.size(), m.message),
        0, "FETCH", true, true);
}

TEST_F(hostile_imap, bye_between_fetch_responses) {
    expect_clean_failure("(FLAGS RFC822.SIZE",
                         "* 1 FETCH (UID 1 FLAGS ())\r\n* BYE going down now\r\n", 0, "FETCH",
                         true);
}

// POP3, through the fetch pass (state and Maildir as `postfach` uses them).
class hostile_pop3 : public ::testing::Test {
protected:
    hostile_pop3() {
        for (const char* sub : {"tmp", "new", "cur"})
            fs::create_directories(inbox_ / sub);
        EXPECT_FALSE(state::state_store::open(dir_.path() / "state.sqlite", store_));
        server_.host = "127.0.0.1";
        server_.tls = config::tls_mode::none;
        server_.user = "alice";
        server_.secret.password = secret_string("s3cret-pw");
    }

    // Answers like a POP3 server with one message, except that `greeting` replaces the greeting
    // and `uidl` the answer to UIDL; each may be followed by `flood` bytes of `flood_chunk`.
    struct script {
        std::size_t* sent = nullptr; // bytes of the flood sent, when set
        std::string greeting = "+OK ready\r\n";
        std::string uidl = "+OK\r\n1 one\r\n.\r\n";
        std::string flood_chunk;
        std::size_t flood = 0;
        bool flood_after_greeting = false;
    };

    // Runs one fetch pass; returns its error and the growth of this process's peak RSS.
    std::error_code pass(const script& s, std::string& diagnostics, long& growth_kib) {
        boost::asio::io_context io;
        scripted_server server(io, [&](tcp::socket& socket) -> asio::awaitable<void> {
            co_await send(socket, s.greeting);
            if (s.flood_after_greeting) {
                const auto n = co_await send_repeated(socket, s.flood_chunk, s.flood);
                if (s.sent != nullptr)
                    *s.sent = n;
                co_return;
            }
            asio::streambuf buffer;
            while (true) {
                const auto line = co_await receive_line(socket, buffer);
                const auto command = command_of("tag " + line);
                if (line.empty())
                    co_return;
                if (command.starts_with("CAPA"))
                    co_await send(socket, "+OK\r\nUSER\r\nUIDL\r\n.\r\n");
                else if (command.starts_with("UIDL")) {
                    co_await send(socket, s.uidl);
                    if (s.flood > 0) {
                        const auto n = co_await send_repeated(socket, s.flood_chunk, s.flood);
                        if (s.sent != nullptr)
                            *s.sent = n;
                        co_return;
                    }
                } else if (command.starts_with("STAT"))
                    co_await send(socket, "+OK 1 20\r\n");
                else if (command.starts_with("LIST"))
                    co_await send(socket, "+OK\r\n1 20\r\n.\r\n");
                else if (command.starts_with("QUIT")) {
                    co_await send(socket, "+OK bye\r\n");
                    co_return;
                } else
                    co_await send(socket, "+OK\r\n");
            }
        });
        server_.port = server.port();
        const long before = peak_rss_kib(true);
        std::error_code result;
        pop3::fetch_result fetched;
        const pop3::fetch_options options;
        run_until_done(io, [&]() -> asio::awaitable<void> {
            result = co_await pop3::fetch_account(server_, "alice", store_, inbox_, options,
                                                  fetched, diagnostics);
        });
        growth_kib = peak_rss_kib(false) - before;
        return result;
    }

    // VmHWM of this process in KiB; `reset` first sets it back to the current RSS.
    static long peak_rss_kib(bool reset) {
        if (reset)
            std::ofstream("/proc/self/clear_refs") << "5";
        std::ifstream status("/proc/self/status");
        std::string line;
        while (std::getline(status, line))
            if (line.starts_with("VmHWM:"))
                return std::stol(line.substr(6));
        return -1;
    }

    std::size_t messages() const {
        std::size_t n = 0;
        for (const char* sub : {"new", "cur", "tmp"})
            for ([[maybe_unused]] const auto& e : fs::directory_iterator(inbox_ / sub))
                ++n;
        return n;
    }

    temp_dir dir_;
    fs::path inbox_ = dir_.path() / "Maildir";
    state::state_store store_;
    config::server_config server_;
};

TEST_F(hostile_pop3, endless_greeting_line) {
    script s;
    s.greeting = "+OK ";
    s.flood_chunk = std::string(64 * 1024, 'x');
    s.flood = flood;
    s.flood_after_greeting = true;
    std::string diagnostics;
    long growth = 0;
    const auto ec = pass(s, diagnostics, growth);
    EXPECT_TRUE(ec) << "an endless line was accepted";
    EXPECT_NE(diagnostics.find("greeting"), std::string::npos) << diagnostics;
    EXPECT_LT(growth, 16 * 1024) << "KiB";
    EXPECT_EQ(messages(), 0u);
}

TEST_F(hostile_pop3, endless_uidl_listing) {
    script s;
    s.uidl = "+OK\r\n";
    // Lines of the longest unique-id RFC 1939 allows (70 characters).
    std::string chunk;
    for (int i = 0; i < 800; ++i)
        chunk += fmt::format("{} {:070d}\r\n", i + 1, i);
    s.flood_chunk = chunk;
    s.flood = std::size_t{1} << 30;
    std::size_t sent = 0;
    s.sent = &sent;
    std::string diagnostics;
    long growth = 0;
    const auto ec = pass(s, diagnostics, growth);
    EXPECT_EQ(ec, pop3::pop3_errc::too_many_entries) << ec.message() << ": " << diagnostics;
    EXPECT_NE(diagnostics.find("UIDL"), std::string::npos) << diagnostics;
    // The client stopped reading at the listing's byte limit (32 MiB), not after the gigabyte;
    // what it held is bounded by that (RSS here includes the sanitizer's quarantine).
    const pop3::parser_limits defaults;
    EXPECT_LT(sent, 2 * defaults.max_listing_size + (std::size_t{8} << 20));
    EXPECT_LT(growth, 512 * 1024) << "KiB";
    EXPECT_EQ(messages(), 0u);
}

} // namespace
} // namespace postfach::test
