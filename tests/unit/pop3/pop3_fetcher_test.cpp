// The Asio POP3 client and the fetch pass over net::fake_stream: scripted server answers, an
// error injected at every I/O operation, and the Maildir and state checked afterwards.

#include "net/fake_stream.hpp"
#include "net/net_errc.hpp"
#include "pop3/client.hpp"
#include "pop3/pop3_errc.hpp"
#include "pop3/pop3_fetcher.hpp"
#include "sync/message_identity.hpp"
#include "tests/support/coroutine_runner.hpp"
#include "tests/unit/support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sstream>

namespace postfach::pop3 {
namespace {

const std::string message_1 = "Message-ID: <one@example.org>\r\nSubject: one\r\n\r\nHello.\r\n";
const std::string message_2 = "Subject: two\r\n\r\n..dotted\r\nbye\r\n"; // no Message-ID
const std::string wire_2 = "Subject: two\r\n\r\n...dotted\r\nbye\r\n";   // dot-stuffed

const std::string login_script = "+OK ready\r\n";
const std::string capa = "+OK\r\nTOP\r\nUIDL\r\nUSER\r\nPIPELINING\r\nRESP-CODES\r\n.\r\n";
const std::string capa_no_uidl = "+OK\r\nTOP\r\nUSER\r\nRESP-CODES\r\n.\r\n";

std::string listing() {
    return "+OK 2 messages\r\n1 " + std::to_string(message_1.size()) + "\r\n2 " +
           std::to_string(message_2.size()) + "\r\n.\r\n";
}

std::string retr(const std::string& wire) {
    return "+OK\r\n" + wire + ".\r\n";
}

// Arrivals of a whole pass with UIDL that fetches both messages and quits.
std::vector<std::string> full_pass() {
    return {login_script,
            capa,
            "+OK\r\n",
            "+OK Logged in.\r\n",
            capa,
            listing(),
            "+OK\r\n1 a\r\n2 b\r\n.\r\n",
            retr(message_1),
            retr(wire_2),
            "+OK bye\r\n"};
}

std::string lf(std::string s) {
    std::string out;
    for (char c : s)
        if (c != '\r')
            out += c;
    return out;
}

command top_1_0() {
    std::error_code ec;
    return *commands::top(1, 0, ec);
}

session_options user_pass() {
    session_options o;
    o.security = transport_security::none;
    o.login = login_credentials{"alice", secret_string("s3cret")};
    return o;
}

struct account {
    test::temp_dir dir;
    std::filesystem::path inbox = dir.path() / "Maildir";
    state::state_store store;

    account() {
        for (const char* sub : {"tmp", "new", "cur"})
            std::filesystem::create_directories(inbox / sub);
        EXPECT_FALSE(state::state_store::open(dir.path() / "state.sqlite", store));
    }
    // Contents of new/ (LF), counted.
    std::map<std::string, int> messages() const {
        std::map<std::string, int> out;
        for (const auto& e : std::filesystem::directory_iterator(inbox / "new")) {
            std::ifstream in(e.path(), std::ios::binary);
            std::stringstream s;
            s << in.rdbuf();
            ++out[s.str()];
        }
        return out;
    }
    std::size_t tmp_files() const {
        return static_cast<std::size_t>(
            std::distance(std::filesystem::directory_iterator(inbox / "tmp"), {}));
    }
};

struct pass_outcome {
    std::error_code ec;
    fetch_result result;
    std::string written;
    std::string diagnostics;
};

pass_outcome run_pass(account& a, const std::vector<std::string>& arrivals,
                      fetch_options options = {},
                      std::optional<std::pair<std::size_t, std::error_code>> failure = {}) {
    boost::asio::io_context io;
    net::fake_stream stream(true);
    for (const auto& s : arrivals)
        stream.feed(s);
    if (failure)
        stream.fail_operation(failure->first, failure->second);
    pass_outcome out;
    test::run_until_done(io, [&]() -> boost::asio::awaitable<void> {
        client c(stream, user_pass(), "test");
        out.ec = co_await c.open();
        out.diagnostics = c.diagnostics();
        if (out.ec) {
            out.result.retry_later = is_transient_failure(out.ec); // as fetch_account grades
            co_return;
        }
        pop3_fetcher f(c, a.store, a.inbox, options);
        out.ec = co_await f.run(out.result);
        out.diagnostics = f.diagnostics();
    });
    out.written = stream.take_written();
    EXPECT_TRUE(!out.ec || !stream.is_open()) << "the stream stays open after an error";
    return out;
}

TEST(pop3_client, logs_in_and_answers_commands) {
    boost::asio::io_context io;
    net::fake_stream stream(true);
    for (const auto& s : {login_script, capa, std::string("+OK\r\n"),
                          std::string("+OK Logged in.\r\n"), capa, std::string("+OK 2 30\r\n")})
        stream.feed(s);
    test::run_until_done(io, [&]() -> boost::asio::awaitable<void> {
        client c(stream, user_pass(), "test");
        CO_ASSERT_NO_ERROR(co_await c.open(), c.diagnostics());
        response r;
        CO_ASSERT_NO_ERROR(co_await c.call(commands::stat(), r), c.diagnostics());
        EXPECT_EQ(r.listings, (std::vector<scan_listing>{{2, 30}}));
    });
    EXPECT_EQ(stream.take_written(), "CAPA\r\nUSER alice\r\nPASS s3cret\r\nCAPA\r\nSTAT\r\n");
}

TEST(pop3_client, traces_lines_without_the_password_and_bodies_by_size) {
    std::ostringstream out;
    auto logger = std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::trace);
    auto previous = spdlog::default_logger();
    spdlog::set_default_logger(logger);
    const std::string big = "+OK\r\n" + std::string(600, 'x') + "\r\n.\r\n";
    boost::asio::io_context io;
    net::fake_stream stream(true);
    for (const auto& s :
         {login_script, capa, std::string("+OK\r\n"), std::string("+OK Logged in.\r\n"), capa, big})
        stream.feed(s);
    test::run_until_done(io, [&]() -> boost::asio::awaitable<void> {
        client c(stream, user_pass(), "acct");
        CO_ASSERT_NO_ERROR(co_await c.open(), c.diagnostics());
        response r;
        CO_ASSERT_NO_ERROR(co_await c.call(top_1_0(), r), c.diagnostics());
    });
    spdlog::set_default_logger(previous);
    const auto log = out.str();
    EXPECT_EQ(log.find("s3cret"), std::string::npos) << log;
    EXPECT_NE(log.find("acct C: USER alice"), std::string::npos) << log;
    EXPECT_NE(log.find("acct C: *** (11 bytes"), std::string::npos) << log; // PASS s3cret
    EXPECT_NE(log.find("acct S: +OK Logged in."), std::string::npos) << log;
    EXPECT_NE(log.find("bytes)"), std::string::npos) << log;
    EXPECT_EQ(log.find(std::string(600, 'x')), std::string::npos) << log;
}

TEST(pop3_client, transient_and_permanent_grading) {
    EXPECT_TRUE(is_transient_failure(make_error_code(pop3_errc::in_use)));
    EXPECT_TRUE(is_transient_failure(make_error_code(pop3_errc::login_delay)));
    EXPECT_TRUE(is_transient_failure(make_error_code(pop3_errc::server_busy)));
    EXPECT_TRUE(is_transient_failure(make_error_code(net::net_errc::connection_closed)));
    EXPECT_FALSE(is_transient_failure(make_error_code(pop3_errc::auth_failed)));
    EXPECT_FALSE(is_transient_failure(make_error_code(net::net_errc::certificate_verify_failed)));
}

TEST(pop3_client, in_use_at_login_is_transient) {
    account a;
    const auto out =
        run_pass(a, {login_script, capa, "+OK\r\n", "-ERR [IN-USE] Mailbox is locked\r\n"});
    EXPECT_EQ(out.ec, pop3_errc::in_use) << out.diagnostics;
    EXPECT_TRUE(is_transient_failure(out.ec));
}

TEST(pop3_fetcher, fetches_all_records_and_leaves_on_server) {
    account a;
    const auto out = run_pass(a, full_pass());
    ASSERT_FALSE(out.ec) << out.diagnostics;
    EXPECT_EQ(out.result.on_server, 2u);
    EXPECT_EQ(out.result.fetched, 2u);
    EXPECT_EQ(out.result.bytes, message_1.size() + message_2.size());
    EXPECT_EQ(out.result.deleted, 0u);
    EXPECT_EQ(a.messages(), (std::map<std::string, int>{{lf(message_1), 1}, {lf(message_2), 1}}));
    EXPECT_EQ(a.tmp_files(), 0u);
    std::vector<state::pop3_uidl_record> uidls;
    ASSERT_FALSE(a.store.list_pop3_uidls(uidls));
    ASSERT_EQ(uidls.size(), 2u);
    EXPECT_EQ(uidls[0].size + uidls[1].size, message_1.size() + message_2.size());
    EXPECT_EQ(out.written.find("DELE"), std::string::npos);
    EXPECT_NE(out.written.find("QUIT\r\n"), std::string::npos);

    // Second pass: nothing new, no RETR.
    const auto again = run_pass(a, {login_script, capa, "+OK\r\n", "+OK\r\n", capa, listing(),
                                    "+OK\r\n1 a\r\n2 b\r\n.\r\n", "+OK bye\r\n"});
    ASSERT_FALSE(again.ec) << again.diagnostics;
    EXPECT_EQ(again.result.fetched, 0u);
    EXPECT_EQ(again.written.find("RETR"), std::string::npos);
}

TEST(pop3_fetcher, recycled_uidl_with_another_size_is_a_new_message) {
    account a;
    ASSERT_FALSE(a.store.add_pop3_uidl({"a", 9999, 1}));
    ASSERT_FALSE(a.store.add_pop3_uidl({"b", message_2.size(), 1}));
    const auto out = run_pass(a, {login_script, capa, "+OK\r\n", "+OK\r\n", capa, listing(),
                                  "+OK\r\n1 a\r\n2 b\r\n.\r\n", retr(message_1), "+OK bye\r\n"});
    ASSERT_FALSE(out.ec) << out.diagnostics;
    EXPECT_EQ(out.result.fetched, 1u);
    EXPECT_NE(out.written.find("RETR 1\r\n"), std::string::npos);
    EXPECT_EQ(out.written.find("RETR 2\r\n"), std::string::npos);
    std::optional<state::pop3_uidl_record> a_record;
    ASSERT_FALSE(a.store.find_pop3_uidl("a", a_record));
    ASSERT_TRUE(a_record);
    EXPECT_EQ(a_record->size, message_1.size());
}

TEST(pop3_fetcher, without_uidl_matches_by_top_headers) {
    for (const bool uidl_refused : {false, true}) {
        SCOPED_TRACE(uidl_refused ? "UIDL answers -ERR" : "CAPA lacks UIDL");
        account a;
        const auto& c = uidl_refused ? capa : capa_no_uidl;
        std::vector<std::string> script{login_script, c, "+OK\r\n", "+OK\r\n", c, listing()};
        if (uidl_refused)
            script.push_back("-ERR unsupported\r\n");
        script.push_back("+OK\r\nMessage-ID: <one@example.org>\r\nSubject: one\r\n\r\n.\r\n");
        script.push_back("+OK\r\nSubject: two\r\n\r\n.\r\n");
        auto second = script;
        script.push_back(retr(message_1));
        script.push_back(retr(wire_2));
        script.push_back("+OK bye\r\n");
        const auto out = run_pass(a, script);
        ASSERT_FALSE(out.ec) << out.diagnostics;
        EXPECT_EQ(out.result.fetched, 2u);
        std::optional<state::pop3_uidl_record> r;
        ASSERT_FALSE(a.store.find_pop3_uidl("mid:<one@example.org>", r));
        EXPECT_TRUE(r);

        second.push_back("+OK bye\r\n");
        const auto again = run_pass(a, second);
        ASSERT_FALSE(again.ec) << again.diagnostics;
        EXPECT_EQ(again.result.fetched, 0u);
        EXPECT_EQ(a.messages().size(), 2u);
    }
}

// After a switch from IMAP (design.md §4.8): a message whose identity is already in the INBOX
// is recorded without RETR; the others are fetched.
TEST(pop3_fetcher, recognises_messages_on_disk_by_top_headers_and_size) {
    account a;
    fetch_options o;
    o.on_disk = {sync::make_identity(message_1.size(),
                                     "Message-ID: <one@example.org>\r\nSubject: one\r\n\r\n")};
    const auto out = run_pass(a,
                              {login_script, capa, "+OK\r\n", "+OK\r\n", capa, listing(),
                               "+OK\r\n1 a\r\n2 b\r\n.\r\n",
                               "+OK\r\nMessage-ID: <one@example.org>\r\nSubject: one\r\n\r\n.\r\n",
                               "+OK\r\nSubject: two\r\n\r\n.\r\n", retr(wire_2), "+OK bye\r\n"},
                              o);
    ASSERT_FALSE(out.ec) << out.diagnostics;
    EXPECT_EQ(out.result.recognised, 1u);
    EXPECT_EQ(out.result.fetched, 1u);
    EXPECT_NE(out.written.find("TOP 1 0\r\nTOP 2 0\r\n"), std::string::npos) << out.written;
    EXPECT_EQ(out.written.find("RETR 1"), std::string::npos) << out.written;
    EXPECT_EQ(a.messages(), (std::map<std::string, int>{{lf(message_2), 1}}));
    std::vector<state::pop3_uidl_record> uidls;
    ASSERT_FALSE(a.store.list_pop3_uidls(uidls));
    ASSERT_EQ(uidls.size(), 2u);
    EXPECT_EQ(uidls[0].uidl + uidls[1].uidl, "ab");
}

TEST(pop3_fetcher, dry_run_counts_and_fetches_nothing) {
    account a;
    fetch_options o;
    o.dry_run = true;
    o.leave_on_server = false;
    const auto out = run_pass(a,
                              {login_script, capa, "+OK\r\n", "+OK\r\n", capa, listing(),
                               "+OK\r\n1 a\r\n2 b\r\n.\r\n", "+OK bye\r\n"},
                              o);
    ASSERT_FALSE(out.ec) << out.diagnostics;
    EXPECT_EQ(out.result.to_fetch, 2u);
    EXPECT_EQ(out.result.to_fetch_bytes, message_1.size() + message_2.size());
    EXPECT_EQ(out.written.find("RETR"), std::string::npos) << out.written;
    EXPECT_EQ(out.written.find("DELE"), std::string::npos) << out.written;
    EXPECT_TRUE(a.messages().empty());
    std::vector<state::pop3_uidl_record> uidls;
    ASSERT_FALSE(a.store.list_pop3_uidls(uidls));
    EXPECT_TRUE(uidls.empty());
}

TEST(pop3_fetcher, leave_on_server_false_deletes_what_is_stored) {
    account a;
    fetch_options o;
    o.leave_on_server = false;
    auto script = full_pass();
    script.back() = "+OK\r\n";   // DELE 1
    script.push_back("+OK\r\n"); // DELE 2
    script.push_back("+OK bye\r\n");
    const auto out = run_pass(a, script, o);
    ASSERT_FALSE(out.ec) << out.diagnostics;
    EXPECT_EQ(out.result.deleted, 2u);
    EXPECT_NE(out.written.find("DELE 1\r\nDELE 2\r\nQUIT\r\n"), std::string::npos);
    std::vector<state::pop3_uidl_record> uidls;
    ASSERT_FALSE(a.store.list_pop3_uidls(uidls));
    EXPECT_TRUE(uidls.empty()); // forgotten once QUIT committed the deletion
}

TEST(pop3_fetcher, delete_after_days_deletes_only_old_messages) {
    account a;
    const auto now = std::chrono::system_clock::now();
    const auto day = std::chrono::hours(24);
    const auto secs = [](auto t) {
        return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
    };
    ASSERT_FALSE(a.store.add_pop3_uidl({"a", message_1.size(), secs(now - 8 * day)}));
    ASSERT_FALSE(a.store.add_pop3_uidl({"b", message_2.size(), secs(now - 6 * day)}));
    fetch_options o;
    o.delete_after_days = 7;
    o.now = now;
    const auto out = run_pass(a,
                              {login_script, capa, "+OK\r\n", "+OK\r\n", capa, listing(),
                               "+OK\r\n1 a\r\n2 b\r\n.\r\n", "+OK\r\n", "+OK bye\r\n"},
                              o);
    ASSERT_FALSE(out.ec) << out.diagnostics;
    EXPECT_EQ(out.result.deleted, 1u);
    EXPECT_NE(out.written.find("DELE 1\r\nQUIT\r\n"), std::string::npos) << out.written;
    EXPECT_EQ(out.written.find("DELE 2"), std::string::npos);
}

// A crash after the Maildir commit, before the state recorded the batch: the next pass finds
// the intents, records the stored messages and fetches nothing again.
TEST(pop3_fetcher, crash_between_maildir_and_state_commit_gives_no_duplicate) {
    account a;
    fetch_options crash;
    crash.hooks.stop_after_maildir_commit = true;
    const auto broken = run_pass(a, full_pass(), crash);
    ASSERT_EQ(broken.ec, std::errc::interrupted) << broken.diagnostics;
    ASSERT_EQ(a.messages().size(), 2u);
    std::vector<state::pop3_intent_record> intents;
    ASSERT_FALSE(a.store.list_pop3_intents(intents));
    EXPECT_EQ(intents.size(), 2u); // one per durable delivery
    std::optional<state::pop3_uidl_record> r;
    ASSERT_FALSE(a.store.find_pop3_uidl("a", r));
    EXPECT_FALSE(r); // not recorded yet

    const auto rerun = run_pass(a, {login_script, capa, "+OK\r\n", "+OK\r\n", capa, listing(),
                                    "+OK\r\n1 a\r\n2 b\r\n.\r\n", "+OK bye\r\n"});
    ASSERT_FALSE(rerun.ec) << rerun.diagnostics;
    EXPECT_EQ(rerun.result.fetched, 0u);
    EXPECT_EQ(rerun.written.find("RETR"), std::string::npos);
    EXPECT_EQ(a.messages(), (std::map<std::string, int>{{lf(message_1), 1}, {lf(message_2), 1}}));
    std::vector<state::pop3_uidl_record> uidls;
    ASSERT_FALSE(a.store.list_pop3_uidls(uidls));
    ASSERT_EQ(uidls.size(), 2u); // the two records
    EXPECT_EQ(uidls[0].uidl + uidls[1].uidl, "ab");
    ASSERT_FALSE(a.store.list_pop3_intents(intents));
    EXPECT_TRUE(intents.empty()); // no intent left
}

// A Maildir that cannot take the message (no tmp/): the pass fails, ends without QUIT (so
// nothing could be deleted) and records nothing.
TEST(pop3_fetcher, a_sink_that_cannot_store_aborts_without_quit) {
    account a;
    std::filesystem::remove(a.inbox / "tmp");
    fetch_options o;
    o.leave_on_server = false;
    const auto out = run_pass(a, full_pass(), o);
    EXPECT_TRUE(out.ec);
    EXPECT_FALSE(out.result.retry_later) << out.ec.message();
    EXPECT_NE(out.diagnostics.find("tmp"), std::string::npos) << out.diagnostics;
    EXPECT_EQ(out.written.find("QUIT"), std::string::npos) << out.written;
    EXPECT_EQ(out.written.find("DELE"), std::string::npos) << out.written;
    std::vector<state::pop3_uidl_record> uidls;
    ASSERT_FALSE(a.store.list_pop3_uidls(uidls));
    EXPECT_TRUE(uidls.empty());
}

// An intent whose file never reached the Maildir (a crash before the rename) is dropped and
// the message fetched again.
TEST(pop3_fetcher, intent_without_file_is_fetched_again) {
    account a;
    ASSERT_FALSE(a.store.add_pop3_intent({"123.gone.host", "a", message_1.size(), 1}));
    const auto out =
        run_pass(a, {login_script, capa, "+OK\r\n", "+OK\r\n", capa, listing(),
                     "+OK\r\n1 a\r\n2 b\r\n.\r\n", retr(message_1), retr(wire_2), "+OK bye\r\n"});
    ASSERT_FALSE(out.ec) << out.diagnostics;
    EXPECT_EQ(out.result.fetched, 2u);
    std::vector<state::pop3_uidl_record> uidls;
    ASSERT_FALSE(a.store.list_pop3_uidls(uidls));
    EXPECT_EQ(uidls.size(), 2u);
    std::vector<state::pop3_intent_record> intents;
    ASSERT_FALSE(a.store.list_pop3_intents(intents));
    EXPECT_TRUE(intents.empty());
}

// An error at every I/O operation of a pass, then a clean pass: every message exactly once,
// nothing left in tmp/, and the error graded (the fake's connection_closed is transient).
TEST(pop3_fetcher, error_at_every_operation_then_rerun_gives_each_message_once) {
    bool reached_clean_run = false;
    for (std::size_t i = 0; i < 64 && !reached_clean_run; ++i) {
        SCOPED_TRACE("failing operation " + std::to_string(i));
        account a;
        const auto broken = run_pass(a, full_pass(), {}, {{i, net::net_errc::connection_closed}});
        if (!broken.ec) {
            reached_clean_run = true; // past the last operation
            continue;
        }
        EXPECT_TRUE(broken.result.retry_later) << broken.ec.message();
        EXPECT_EQ(a.tmp_files(), 0u);
        const auto done = a.messages().size();
        auto script = std::vector<std::string>{login_script,
                                               capa,
                                               "+OK\r\n",
                                               "+OK\r\n",
                                               capa,
                                               listing(),
                                               "+OK\r\n1 a\r\n2 b\r\n.\r\n"};
        if (a.messages().count(lf(message_1)) == 0)
            script.push_back(retr(message_1));
        if (a.messages().count(lf(message_2)) == 0)
            script.push_back(retr(wire_2));
        script.push_back("+OK bye\r\n");
        const auto rerun = run_pass(a, script);
        ASSERT_FALSE(rerun.ec) << rerun.diagnostics;
        EXPECT_EQ(rerun.result.fetched, 2u - done);
        EXPECT_EQ(a.messages(),
                  (std::map<std::string, int>{{lf(message_1), 1}, {lf(message_2), 1}}));
    }
    EXPECT_TRUE(reached_clean_run);
}

} // namespace
} // namespace postfach::pop3
