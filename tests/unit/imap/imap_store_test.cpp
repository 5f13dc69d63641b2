// imap_store from transcripts over net/'s fake_stream: what it sends and how it reads the
// answers, for the paths Dovecot's defaults do not take (a '.' delimiter, an untagged COPYUID,
// no UIDPLUS, synchronizing literals, a UIDVALIDITY change between scan and use).

#include "imap/client_session.hpp"
#include "imap/imap_errc.hpp"
#include "imap/imap_store.hpp"
#include "imap/imap_store_errc.hpp"
#include "net/fake_stream.hpp"
#include "net/net_errc.hpp"
#include "net/sasl_mechanism.hpp"
#include "tests/support/coroutine_runner.hpp"

#include <array>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <functional>
#include <gtest/gtest.h>

namespace postfach::imap {
namespace {

namespace asio = boost::asio;
using postfach::test::run_until_done;

using namespace sync::flag_bit; // draft, flagged, forwarded, answered, seen, deleted
constexpr std::string_view login_written = "A1 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n";

// Logs in with the capabilities given after login, then runs body on a store over `fake`;
// returns what the client wrote after the login.
std::string run_store_on(net::fake_stream& fake, std::string_view capabilities,
                         const std::vector<std::string>& arrivals,
                         const std::function<asio::awaitable<void>(imap_store&)>& body) {
    fake.feed("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n");
    fake.feed("A1 OK [CAPABILITY IMAP4rev1 " + std::string(capabilities) + "] Logged in\r\n");
    for (const auto& a : arrivals)
        fake.feed(a);
    net::sasl_credentials credentials;
    credentials.user = "alice";
    credentials.secret = secret_string("secret");
    auto plain = net::make_sasl_mechanism(config::auth_mechanism::plain, credentials);
    session_options options;
    options.mechanisms = {plain.get()};
    client_session session(fake, std::move(options), "test");
    asio::io_context io;
    run_until_done(io, [&]() -> asio::awaitable<void> {
        CO_ASSERT_NO_ERROR(co_await session.open(), session.diagnostics());
        imap_store store(session);
        co_await body(store);
    });
    auto written = fake.take_written();
    EXPECT_EQ(written.substr(0, login_written.size()), login_written);
    return written.substr(std::min(written.size(), login_written.size()));
}

std::string run_store(std::string_view capabilities, const std::vector<std::string>& arrivals,
                      const std::function<asio::awaitable<void>(imap_store&)>& body) {
    net::fake_stream fake;
    return run_store_on(fake, capabilities, arrivals, body);
}

class chunk_sink final : public sync::message_sink {
public:
    std::vector<std::string> chunks;
    sync::task<std::error_code> write(std::string_view chunk) override {
        chunks.emplace_back(chunk);
        co_return std::error_code();
    }
};

// Fails every write, as a full disk would.
class failing_sink final : public sync::message_sink {
public:
    int writes = 0;
    sync::task<std::error_code> write(std::string_view) override {
        ++writes;
        co_return std::make_error_code(std::errc::no_space_on_device);
    }
};

TEST(imap_store_transcript, a_failing_sink_fails_the_message_not_the_session) {
    const auto written =
        run_store("UIDPLUS",
                  {
                      "* 2 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\nA2 OK selected\r\n",
                      "* 1 FETCH (UID 4 BODY[] {10}\r\nhello",
                      "world)\r\nA3 OK done\r\n",
                      "* 2 FETCH (UID 6 RFC822.SIZE 99)\r\nA4 OK done\r\n",
                  },
                  [](imap_store& store) -> asio::awaitable<void> {
                      sync::folder_scan scan;
                      failing_sink sink;
                      EXPECT_EQ(co_await store.read_message("INBOX", "4", sink),
                                std::make_error_code(std::errc::no_space_on_device));
                      EXPECT_EQ(sink.writes, 1) << "the rest of the body is dropped";
                      std::uint64_t size = 0;
                      CO_ASSERT_NO_ERROR(co_await store.message_size("INBOX", "6", size),
                                         store.diagnostics());
                      EXPECT_EQ(size, 99U);
                  });
    EXPECT_EQ(written, "A2 SELECT INBOX\r\n"
                       "A3 UID FETCH 4 (BODY.PEEK[])\r\n"
                       "A4 UID FETCH 6 (RFC822.SIZE)\r\n");
}

TEST(imap_store_transcript, dot_delimiter_scan_and_move_with_untagged_copyuid) {
    const auto written = run_store(
        "UIDPLUS MOVE LITERAL+",
        {
            "* LIST (\\HasChildren) \".\" INBOX\r\n"
            "* LIST (\\HasNoChildren \\Drafts) \".\" Entw&APw-rfe.Alt\r\n"
            "* LIST (\\Noselect) \".\" Entw&APw-rfe\r\nA2 OK done\r\n",
            "* 2 EXISTS\r\n* OK [UIDVALIDITY 77] ok\r\nA3 OK [READ-WRITE] selected\r\n",
            "* 1 FETCH (UID 5 FLAGS (\\Seen \\Recent $forwarded $Work))\r\n"
            "* 2 FETCH (UID 9 FLAGS ())\r\nA4 OK done\r\n",
            "* OK [COPYUID 1 5 31] moved\r\n* 1 EXPUNGE\r\nA5 OK done\r\n",
        },
        [](imap_store& store) -> asio::awaitable<void> {
            std::vector<sync::folder_info> folders;
            CO_ASSERT_NO_ERROR(co_await store.list_folders(folders), store.diagnostics());
            EXPECT_EQ(folders.size(), 2U) << "\\Noselect is no folder to sync";
            EXPECT_TRUE(folders.size() == 2 && folders[1].name == "Entwürfe/Alt" &&
                        folders[1].special_use == "\\Drafts");
            sync::folder_scan scan;
            CO_ASSERT_NO_ERROR(co_await store.scan("Entwürfe/Alt", scan), store.diagnostics());
            EXPECT_EQ(scan.epoch, "77");
            EXPECT_TRUE(scan.messages.size() == 2 && scan.messages[0].id == "5" &&
                        scan.messages[0].flags == (seen | forwarded) &&
                        scan.messages[1].id == "9" && scan.messages[1].flags == 0);
            std::string new_id;
            CO_ASSERT_NO_ERROR(co_await store.move_message("Entwürfe/Alt", "5", "INBOX", new_id),
                               store.diagnostics());
            EXPECT_EQ(new_id, "31");
        });
    EXPECT_EQ(written, "A2 LIST \"\" *\r\n"
                       "A3 SELECT Entw&APw-rfe.Alt\r\n"
                       "A4 UID FETCH 1:* (FLAGS RFC822.SIZE INTERNALDATE)\r\n"
                       "A5 UID MOVE 5 INBOX\r\n");
}

TEST(imap_store_transcript, without_uidplus_no_expunge_of_other_deleted_mail) {
    const auto written = run_store(
        "",
        {
            "* 0 EXISTS\r\n* OK [UIDVALIDITY 3] ok\r\nA2 OK selected\r\nA3 OK fetched\r\n",
            "A4 OK stored\r\n",
            "* SEARCH 3 7\r\nA5 OK searched\r\n",
        },
        [](imap_store& store) -> asio::awaitable<void> {
            sync::folder_scan scan;
            CO_ASSERT_NO_ERROR(co_await store.scan("INBOX", scan), store.diagnostics());
            EXPECT_EQ(co_await store.remove_message("INBOX", "3"), imap_store_errc::unsafe_expunge);
            EXPECT_NE(store.diagnostics().find("UID 7"), std::string::npos) << store.diagnostics();
        });
    EXPECT_EQ(written, "A2 SELECT INBOX\r\n"
                       "A3 UID FETCH 1:* (FLAGS RFC822.SIZE INTERNALDATE)\r\n"
                       "A4 UID STORE 3 +FLAGS.SILENT (\\Deleted)\r\n"
                       "A5 UID SEARCH DELETED\r\n");
}

TEST(imap_store_transcript, uidvalidity_changed_since_the_scan_stops_the_operation) {
    const auto written =
        run_store("UIDPLUS",
                  {
                      "* 0 EXISTS\r\n* OK [UIDVALIDITY 3] ok\r\nA2 OK selected\r\n"
                      "A3 OK fetched\r\n",
                      "* 0 EXISTS\r\n* OK [UIDVALIDITY 8] ok\r\nA4 OK selected\r\n"
                      "A5 OK fetched\r\n",
                      "* 0 EXISTS\r\n* OK [UIDVALIDITY 4] ok\r\nA6 OK selected\r\n",
                  },
                  [](imap_store& store) -> asio::awaitable<void> {
                      sync::folder_scan scan;
                      CO_ASSERT_NO_ERROR(co_await store.scan("A", scan), store.diagnostics());
                      CO_ASSERT_NO_ERROR(co_await store.scan("B", scan), store.diagnostics());
                      EXPECT_EQ(co_await store.set_flags("A", "1", seen, 0),
                                imap_store_errc::uidvalidity_changed);
                  });
    EXPECT_EQ(written, "A2 SELECT A\r\nA3 UID FETCH 1:* (FLAGS RFC822.SIZE INTERNALDATE)\r\n"
                       "A4 SELECT B\r\nA5 UID FETCH 1:* (FLAGS RFC822.SIZE INTERNALDATE)\r\n"
                       "A6 SELECT A\r\n")
        << "no STORE";
}

TEST(imap_store_transcript, append_with_synchronizing_literal_and_body_streamed_per_read) {
    const auto written = run_store(
        "UIDPLUS",
        {
            "+ go ahead\r\n",
            "A2 OK [APPENDUID 77 12] appended\r\n",
            "* 0 EXISTS\r\n* OK [UIDVALIDITY 77] ok\r\nA3 OK selected\r\nA4 OK fetched\r\n",
            "* 1 FETCH (UID 12 BODY[] {10}\r\nhello",
            "world)\r\nA5 OK done\r\n",
        },
        [](imap_store& store) -> asio::awaitable<void> {
            sync::new_message m;
            m.folder = "INBOX";
            m.flags = seen;
            m.size = 10;
            std::string id;
            CO_ASSERT_NO_ERROR(co_await store.write_message(
                                   m,
                                   [](sync::message_sink& sink) -> sync::task<std::error_code> {
                                       if (auto ec = co_await sink.write("hello"))
                                           co_return ec;
                                       co_return co_await sink.write("world");
                                   },
                                   id),
                               store.diagnostics());
            EXPECT_EQ(id, "12");
            sync::folder_scan scan;
            CO_ASSERT_NO_ERROR(co_await store.scan("INBOX", scan), store.diagnostics());
            chunk_sink sink;
            CO_ASSERT_NO_ERROR(co_await store.read_message("INBOX", "12", sink),
                               store.diagnostics());
            EXPECT_EQ(sink.chunks, (std::vector<std::string>{"hello", "world"}));
        });
    EXPECT_EQ(written, "A2 APPEND INBOX (\\Seen) {10}\r\nhelloworld\r\n"
                       "A3 SELECT INBOX\r\n"
                       "A4 UID FETCH 1:* (FLAGS RFC822.SIZE INTERNALDATE)\r\n"
                       "A5 UID FETCH 12 (BODY.PEEK[])\r\n");
}

// Scans of INBOX, Sent and Trash from their bases (epoch, token, messages), all three hinted
// first (expect_scans); what each scan gave, its error and then the store's diagnostics.
struct three_scans {
    std::array<sync::scan_base, 3> bases{
        sync::scan_base{"7", "20", {{"3", 0, {}}, {"4", seen, {}}}},
        sync::scan_base{"8", "30", {{"5", seen, {}}, {"6", 0, {}}}}, sync::scan_base{"9", "5", {}}};
    std::array<const char*, 3> folders{"INBOX", "Sent", "Trash"};
    std::array<sync::folder_scan, 3> scans;
    std::array<std::error_code, 3> errors;
    std::array<std::string, 3> diagnostics;

    // Hints all three, then scans the first `count` in order.
    asio::awaitable<void> run(imap_store& store, std::size_t count) {
        std::vector<sync::expected_scan> hint;
        for (std::size_t i = 0; i < 3; ++i)
            hint.push_back({folders[i], bases[i].epoch, bases[i].token});
        store.expect_scans(hint);
        for (std::size_t i = 0; i < count; ++i) {
            errors[i] = co_await store.scan_since(folders[i], bases[i], scans[i]);
            if (errors[i])
                diagnostics[i] = store.diagnostics();
        }
    }
};
constexpr std::string_view three_selects_written = "A2 ENABLE QRESYNC\r\n"
                                                   "A3 SELECT INBOX (QRESYNC (7 20))\r\n"
                                                   "A4 SELECT Sent (QRESYNC (8 30))\r\n"
                                                   "A5 SELECT Trash (QRESYNC (9 5))\r\n";
constexpr std::string_view sent_resynced =
    "* OK [CLOSED] ok\r\n* 1 EXISTS\r\n* OK [UIDVALIDITY 8] ok\r\n"
    "* OK [HIGHESTMODSEQ 31] ok\r\n* VANISHED (EARLIER) 5\r\n"
    "A4 OK [READ-WRITE] selected\r\n";
constexpr std::string_view trash_resynced =
    "* OK [CLOSED] ok\r\n* 0 EXISTS\r\n* OK [UIDVALIDITY 9] ok\r\n"
    "* OK [HIGHESTMODSEQ 5] ok\r\nA5 OK [READ-WRITE] selected\r\n";

// Scans from tokens with QRESYNC: the SELECTs of the hinted folders go out together, before the
// first answer, and the answers (here in one read) go each to its own folder's scan.
TEST(imap_store_transcript, hinted_qresync_scans_send_their_selects_together) {
    three_scans t;
    const auto written = run_store(
        "CONDSTORE QRESYNC UIDPLUS",
        {"* ENABLED QRESYNC\r\nA2 OK enabled\r\n",
         "* 2 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [HIGHESTMODSEQ 22] ok\r\n"
         "* 1 FETCH (UID 3 FLAGS (\\Flagged) MODSEQ (22))\r\nA3 OK [READ-WRITE] selected\r\n" +
             std::string(sent_resynced) + std::string(trash_resynced)},
        [&](imap_store& store) { return t.run(store, 3); });
    EXPECT_EQ(written, three_selects_written);
    for (std::size_t i = 0; i < 3; ++i)
        EXPECT_FALSE(t.errors[i]) << t.diagnostics[i];
    const auto& [inbox, sent, trash] = t.scans;
    EXPECT_EQ(inbox.token, "22");
    ASSERT_EQ(inbox.messages.size(), 2U);
    EXPECT_EQ(inbox.messages[0].id, "3");
    EXPECT_EQ(inbox.messages[0].flags, flagged);
    EXPECT_EQ(inbox.messages[1].flags, seen);
    EXPECT_EQ(sent.token, "31");
    ASSERT_EQ(sent.messages.size(), 1U);
    EXPECT_EQ(sent.messages[0].id, "6");
    EXPECT_EQ(trash.token, "5");
    EXPECT_TRUE(trash.messages.empty());
}

// A scan that needs one more command (INBOX's UIDVALIDITY changed: a full UID FETCH) reads the
// answers of the SELECTs sent behind its own and scans its folder again, in full (SELECT and
// UID FETCH 1:* together); the next scans send their SELECTs one by one.
TEST(imap_store_transcript, a_hinted_scan_that_needs_more_reads_the_others_and_selects_again) {
    three_scans t;
    const auto written = run_store(
        "CONDSTORE QRESYNC UIDPLUS",
        {"* ENABLED QRESYNC\r\nA2 OK enabled\r\n",
         "* 1 EXISTS\r\n* OK [UIDVALIDITY 70] ok\r\n* OK [HIGHESTMODSEQ 3] ok\r\n"
         "A3 OK [READ-WRITE] selected\r\n" +
             std::string(sent_resynced) + std::string(trash_resynced),
         "* 1 EXISTS\r\n* OK [UIDVALIDITY 70] ok\r\n* OK [HIGHESTMODSEQ 3] ok\r\n"
         "A6 OK [READ-WRITE] selected\r\n",
         "* 1 FETCH (UID 1 FLAGS () RFC822.SIZE 5 INTERNALDATE \"01-Jan-1970 00:00:10 +0000\")\r\n"
         "A7 OK done\r\n",
         std::string(sent_resynced).replace(sent_resynced.find("A4"), 2, "A8")},
        [&](imap_store& store) { return t.run(store, 2); });
    EXPECT_EQ(written, std::string(three_selects_written) +
                           "A6 SELECT INBOX (CONDSTORE)\r\n"
                           "A7 UID FETCH 1:* (FLAGS RFC822.SIZE INTERNALDATE)\r\n"
                           "A8 SELECT Sent (QRESYNC (8 30))\r\n");
    EXPECT_FALSE(t.errors[0]) << t.diagnostics[0];
    EXPECT_FALSE(t.errors[1]) << t.diagnostics[1];
    const auto& [inbox, sent, trash] = t.scans;
    EXPECT_EQ(inbox.epoch, "70");
    ASSERT_EQ(inbox.messages.size(), 1U);
    EXPECT_EQ(inbox.messages[0].id, "1");
    ASSERT_EQ(sent.messages.size(), 1U);
    EXPECT_EQ(sent.messages[0].id, "6");
}

// A hinted SELECT refused (the folder went): that scan fails as a SELECT would; the next one
// still takes its own answer.
TEST(imap_store_transcript, a_refused_hinted_select_fails_that_scan_only) {
    three_scans t;
    const auto written =
        run_store("CONDSTORE QRESYNC UIDPLUS",
                  {"* ENABLED QRESYNC\r\nA2 OK enabled\r\n",
                   "* 2 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [HIGHESTMODSEQ 20] ok\r\n"
                   "A3 OK [READ-WRITE] selected\r\nA4 NO [NONEXISTENT] no such mailbox\r\n" +
                       std::string(trash_resynced)},
                  [&](imap_store& store) { return t.run(store, 3); });
    EXPECT_EQ(written, three_selects_written);
    EXPECT_FALSE(t.errors[0]) << t.diagnostics[0];
    EXPECT_EQ(t.errors[1], imap_errc::command_failed);
    EXPECT_FALSE(t.errors[2]) << t.diagnostics[2];
    EXPECT_EQ(t.scans[0].messages.size(), 2U);
    EXPECT_EQ(t.scans[2].token, "5");
}

// CONDSTORE without QRESYNC (Gmail): a scan from a token is a SELECT and a UID FETCH of the
// messages changed since the token's mod-sequence, which needs nothing of the SELECT's answer;
// so the hinted scans send both together, all before the first answer.
constexpr std::string_view fetch_changes = "UID FETCH 1:* (FLAGS RFC822.SIZE INTERNALDATE) "
                                           "(CHANGEDSINCE ";
std::string condstore_scan_written(int tag, std::string_view folder, std::string_view modseq) {
    return fmt::format("A{} SELECT {} (CONDSTORE)\r\nA{} {}{})\r\n", tag, folder, tag + 1,
                       fetch_changes, modseq);
}

TEST(imap_store_transcript, hinted_condstore_scans_send_select_and_fetch_of_changes_together) {
    three_scans t;
    // The connection is lost before any answer: what went out before it is all there is.
    const auto written =
        run_store("CONDSTORE UIDPLUS", {}, [&](imap_store& store) { return t.run(store, 3); });
    EXPECT_EQ(written, condstore_scan_written(2, "INBOX", "20") +
                           condstore_scan_written(4, "Sent", "30") +
                           condstore_scan_written(6, "Trash", "5"));
    for (std::size_t i = 0; i < 3; ++i)
        EXPECT_TRUE(t.errors[i]) << i;
}

// ... and each scan takes its own answers (here all in one read).
TEST(imap_store_transcript, hinted_condstore_scans_take_their_own_changes) {
    three_scans t;
    const auto written = run_store(
        "CONDSTORE UIDPLUS",
        {"* 2 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [HIGHESTMODSEQ 22] ok\r\n"
         "A2 OK [READ-WRITE] selected\r\n* 1 FETCH (UID 3 FLAGS (\\Flagged) MODSEQ (22))\r\n"
         "A3 OK done\r\n"
         "* 2 EXISTS\r\n* OK [UIDVALIDITY 8] ok\r\n* OK [HIGHESTMODSEQ 30] ok\r\n"
         "A4 OK [READ-WRITE] selected\r\nA5 OK done\r\n"
         "* 0 EXISTS\r\n* OK [UIDVALIDITY 9] ok\r\n* OK [HIGHESTMODSEQ 5] ok\r\n"
         "A6 OK [READ-WRITE] selected\r\nA7 OK done\r\n"},
        [&](imap_store& store) { return t.run(store, 3); });
    EXPECT_EQ(written, condstore_scan_written(2, "INBOX", "20") +
                           condstore_scan_written(4, "Sent", "30") +
                           condstore_scan_written(6, "Trash", "5"));
    for (std::size_t i = 0; i < 3; ++i)
        EXPECT_FALSE(t.errors[i]) << t.diagnostics[i];
    const auto& [inbox, sent, trash] = t.scans;
    EXPECT_EQ(inbox.token, "22");
    ASSERT_EQ(inbox.messages.size(), 2U);
    EXPECT_EQ(inbox.messages[0].flags, flagged);
    EXPECT_EQ(inbox.messages[1].flags, seen);
    EXPECT_EQ(sent.token, "30");
    ASSERT_EQ(sent.messages.size(), 2U);
    EXPECT_EQ(sent.messages[0].flags, seen);
    EXPECT_TRUE(trash.messages.empty());
}

// A message of INBOX went (the counts do not add up): its UID SEARCH needs INBOX selected, which
// the SELECTs sent behind undid. The scan reads their answers, selects INBOX again and searches;
// the next scan goes out again, SELECT and FETCH together.
TEST(imap_store_transcript, a_condstore_scan_that_must_search_selects_its_folder_again) {
    three_scans t;
    const std::string inbox_answer =
        "* 1 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [HIGHESTMODSEQ 21] ok\r\n"
        "A{} OK [READ-WRITE] selected\r\nA{} OK done\r\n";
    const std::string sent_answer =
        "* 2 EXISTS\r\n* OK [UIDVALIDITY 8] ok\r\n* OK [HIGHESTMODSEQ 30] ok\r\n"
        "A{} OK [READ-WRITE] selected\r\nA{} OK done\r\n";
    const auto written =
        run_store("CONDSTORE UIDPLUS",
                  {fmt::format(fmt::runtime(inbox_answer), 2, 3) +
                       fmt::format(fmt::runtime(sent_answer), 4, 5) +
                       "* 0 EXISTS\r\n* OK [UIDVALIDITY 9] ok\r\nA6 OK [READ-WRITE] selected\r\n"
                       "A7 OK done\r\n",
                   fmt::format(fmt::runtime(inbox_answer), 8, 9), "* SEARCH 4\r\nA10 OK done\r\n",
                   fmt::format(fmt::runtime(sent_answer), 11, 12)},
                  [&](imap_store& store) { return t.run(store, 2); });
    EXPECT_EQ(written, condstore_scan_written(2, "INBOX", "20") +
                           condstore_scan_written(4, "Sent", "30") +
                           condstore_scan_written(6, "Trash", "5") +
                           condstore_scan_written(8, "INBOX", "20") + "A10 UID SEARCH ALL\r\n" +
                           condstore_scan_written(11, "Sent", "30"));
    EXPECT_FALSE(t.errors[0]) << t.diagnostics[0];
    EXPECT_FALSE(t.errors[1]) << t.diagnostics[1];
    const auto& [inbox, sent, trash] = t.scans;
    ASSERT_EQ(inbox.messages.size(), 1U);
    EXPECT_EQ(inbox.messages[0].id, "4");
    EXPECT_EQ(sent.messages.size(), 2U);
}

} // namespace
} // namespace postfach::imap

namespace postfach::imap {
namespace {

std::vector<std::pair<std::string, sync::flag_bits>> ids_and_flags(const sync::folder_scan& s) {
    std::vector<std::pair<std::string, sync::flag_bits>> out;
    for (const auto& m : s.messages)
        out.emplace_back(m.id, m.flags);
    return out;
}

TEST(imap_store_transcript, condstore_rescan_asks_only_for_changes) {
    using list = std::vector<std::pair<std::string, sync::flag_bits>>;
    const auto written =
        run_store("CONDSTORE UIDPLUS",
                  {
                      "* 3 EXISTS\r\n* OK [UIDVALIDITY 5] ok\r\n* OK [HIGHESTMODSEQ 100] ok\r\n"
                      "A2 OK [READ-WRITE] selected\r\n",
                      "* 1 FETCH (UID 1 FLAGS (\\Seen))\r\n* 2 FETCH (UID 2 FLAGS ())\r\n"
                      "* 3 FETCH (UID 3 FLAGS ())\r\nA3 OK done\r\n",
                      // Unchanged: the FETCH of changes sent with the SELECT finds none.
                      "* 3 EXISTS\r\n* OK [UIDVALIDITY 5] ok\r\n* OK [HIGHESTMODSEQ 100] ok\r\n"
                      "A4 OK [READ-WRITE] selected\r\nA5 OK done\r\n",
                      // UID 2 expunged, UID 3 seen, UID 4 new.
                      "* 3 EXISTS\r\n* OK [UIDVALIDITY 5] ok\r\n* OK [HIGHESTMODSEQ 120] ok\r\n"
                      "A6 OK [READ-WRITE] selected\r\n"
                      "* 2 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (110))\r\n"
                      "* 3 FETCH (UID 4 FLAGS () MODSEQ (119))\r\nA7 OK done\r\n",
                      "* SEARCH 1 3 4\r\nA8 OK done\r\n",
                  },
                  [](imap_store& store) -> asio::awaitable<void> {
                      sync::folder_scan scan;
                      CO_ASSERT_NO_ERROR(co_await store.scan("INBOX", scan), store.diagnostics());
                      EXPECT_EQ(ids_and_flags(scan), (list{{"1", seen}, {"2", 0}, {"3", 0}}));
                      CO_ASSERT_NO_ERROR(co_await store.scan("INBOX", scan), store.diagnostics());
                      EXPECT_EQ(ids_and_flags(scan), (list{{"1", seen}, {"2", 0}, {"3", 0}}));
                      CO_ASSERT_NO_ERROR(co_await store.scan("INBOX", scan), store.diagnostics());
                      EXPECT_EQ(ids_and_flags(scan), (list{{"1", seen}, {"3", seen}, {"4", 0}}));
                      EXPECT_EQ(scan.epoch, "5");
                  });
    EXPECT_EQ(written, "A2 SELECT INBOX (CONDSTORE)\r\n"
                       "A3 UID FETCH 1:* (FLAGS RFC822.SIZE INTERNALDATE)\r\n"
                       "A4 SELECT INBOX (CONDSTORE)\r\n"
                       "A5 UID FETCH 1:* (FLAGS RFC822.SIZE INTERNALDATE) (CHANGEDSINCE 100)\r\n"
                       "A6 SELECT INBOX (CONDSTORE)\r\n"
                       "A7 UID FETCH 1:* (FLAGS RFC822.SIZE INTERNALDATE) (CHANGEDSINCE 100)\r\n"
                       "A8 UID SEARCH ALL\r\n");
}

// LIST-STATUS under QRESYNC: the listing tells each folder's UIDVALIDITY and HIGHESTMODSEQ,
// so a folder is judged without a SELECT; one the listing said nothing of, or one the store
// changed since, is SELECTed as before.
TEST(imap_store_transcript, list_status_tells_unchanged_folders_without_a_select) {
    const auto written = run_store(
        "CONDSTORE QRESYNC LIST-STATUS UIDPLUS",
        {
            "* ENABLED QRESYNC\r\nA2 OK enabled\r\n",
            "* LIST () \"/\" INBOX\r\n* STATUS INBOX (UIDVALIDITY 7 HIGHESTMODSEQ 20)\r\n"
            "* LIST () \"/\" Sent\r\n* STATUS Sent (UIDVALIDITY 8 HIGHESTMODSEQ 31)\r\n"
            "* LIST () \"/\" Old\r\n* STATUS Old (UIDVALIDITY 9 HIGHESTMODSEQ 0)\r\n"
            "* LIST () \"/\" Quiet\r\nA3 OK listed\r\n",
            // Quiet: no STATUS in the listing, so a SELECT.
            "* 0 EXISTS\r\n* OK [UIDVALIDITY 10] ok\r\n* OK [HIGHESTMODSEQ 4] ok\r\n"
            "A4 OK [READ-WRITE] selected\r\n",
            // INBOX after a flag change of ours: the listing's word is void.
            "* 1 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [HIGHESTMODSEQ 20] ok\r\n"
            "A5 OK [READ-WRITE] selected\r\n",
            "* 1 FETCH (UID 3 MODSEQ (21))\r\nA6 OK stored\r\n",
            "* 1 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [HIGHESTMODSEQ 21] ok\r\n"
            "A7 OK [READ-WRITE] selected\r\n",
        },
        [](imap_store& store) -> asio::awaitable<void> {
            std::vector<sync::folder_info> folders;
            CO_ASSERT_NO_ERROR(co_await store.list_folders(folders), store.diagnostics());
            EXPECT_EQ(folders.size(), 4u);
            bool unchanged = false;
            CO_ASSERT_NO_ERROR(co_await store.unchanged_since("INBOX", "7", "20", unchanged),
                               store.diagnostics());
            EXPECT_TRUE(unchanged);
            CO_ASSERT_NO_ERROR(co_await store.unchanged_since("Sent", "8", "30", unchanged),
                               store.diagnostics());
            EXPECT_FALSE(unchanged) << "HIGHESTMODSEQ moved on";
            CO_ASSERT_NO_ERROR(co_await store.unchanged_since("Sent", "9", "31", unchanged),
                               store.diagnostics());
            EXPECT_FALSE(unchanged) << "another UIDVALIDITY";
            // HIGHESTMODSEQ 0: no persistent mod-sequences (RFC 7162), never unchanged; the
            // listing's 0 is not taken, so a SELECT would decide; here the token is 0 too,
            // which no check accepts.
            CO_ASSERT_NO_ERROR(co_await store.unchanged_since("Old", "9", "0", unchanged),
                               store.diagnostics());
            EXPECT_FALSE(unchanged);
            CO_ASSERT_NO_ERROR(co_await store.unchanged_since("Quiet", "10", "4", unchanged),
                               store.diagnostics());
            EXPECT_TRUE(unchanged);
            CO_ASSERT_NO_ERROR(co_await store.set_flags("INBOX", "3", seen, 0),
                               store.diagnostics());
            CO_ASSERT_NO_ERROR(co_await store.unchanged_since("INBOX", "7", "20", unchanged),
                               store.diagnostics());
            EXPECT_FALSE(unchanged) << "our own change";
        });
    EXPECT_EQ(written, "A2 ENABLE QRESYNC\r\n"
                       "A3 LIST \"\" * RETURN (STATUS (UIDVALIDITY HIGHESTMODSEQ))\r\n"
                       "A4 SELECT Quiet (CONDSTORE)\r\n"
                       "A5 SELECT INBOX\r\n"
                       "A6 UID STORE 3 +FLAGS.SILENT (\\Seen)\r\n"
                       "A7 SELECT INBOX (CONDSTORE)\r\n");
}

// Without LIST-STATUS the listing is a plain LIST (ENABLE still sent along with it) and each
// folder is judged by a SELECT, as before.
TEST(imap_store_transcript, without_list_status_unchanged_folders_are_selected) {
    const auto written = run_store(
        "CONDSTORE QRESYNC",
        {
            "* ENABLED QRESYNC\r\nA2 OK enabled\r\n",
            "* LIST () \"/\" INBOX\r\nA3 OK listed\r\n",
            "* 1 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [HIGHESTMODSEQ 20] ok\r\n"
            "A4 OK [READ-WRITE] selected\r\n",
        },
        [](imap_store& store) -> asio::awaitable<void> {
            std::vector<sync::folder_info> folders;
            CO_ASSERT_NO_ERROR(co_await store.list_folders(folders), store.diagnostics());
            bool unchanged = false;
            CO_ASSERT_NO_ERROR(co_await store.unchanged_since("INBOX", "7", "20", unchanged),
                               store.diagnostics());
            EXPECT_TRUE(unchanged);
        });
    EXPECT_EQ(written, "A2 ENABLE QRESYNC\r\n"
                       "A3 LIST \"\" *\r\n"
                       "A4 SELECT INBOX (CONDSTORE)\r\n");
}

} // namespace
} // namespace postfach::imap

namespace postfach::imap {
namespace {

// Records what a batch read passes on: per message its header and its bytes.
class recording_receiver final : public sync::message_receiver {
public:
    struct message {
        sync::message_header header;
        std::string bytes;
        std::error_code error;
        int chunks = 0; // writes to the sink
    };
    std::vector<message> messages;
    std::error_code fail_open; // returned by open()

    sync::task<std::error_code> open(const sync::message_header& header,
                                     sync::message_sink*& sink) override {
        if (fail_open)
            co_return fail_open;
        messages.push_back({header, {}, {}});
        sink_.target = &messages.back();
        sink = &sink_;
        co_return std::error_code();
    }
    sync::task<std::error_code> close(const sync::message_header&, std::error_code ec) override {
        messages.back().error = ec;
        co_return ec;
    }

private:
    struct append_sink final : sync::message_sink {
        message* target = nullptr;
        sync::task<std::error_code> write(std::string_view chunk) override {
            target->bytes.append(chunk);
            ++target->chunks;
            co_return std::error_code();
        }
    } sink_;
};

TEST(imap_store_transcript, batch_read_pipelines_commands_bounded_by_bytes_and_skips_gone_uids) {
    recording_receiver receiver;
    const auto written =
        run_store("UIDPLUS",
                  {
                      "* 4 EXISTS\r\n* OK [UIDVALIDITY 3] ok\r\nA2 OK selected\r\n",
                      // 6 MB each: two of them exceed a batch's 8 MB.
                      "* 1 FETCH (UID 10 FLAGS () RFC822.SIZE 6000000 INTERNALDATE "
                      "\"21-Nov-2026 09:15:42 +0200\")\r\n"
                      "* 2 FETCH (UID 11 FLAGS () RFC822.SIZE 6000000 INTERNALDATE "
                      "\"01-Jan-1970 00:00:10 +0000\")\r\n"
                      "* 3 FETCH (UID 12 FLAGS () RFC822.SIZE 5 INTERNALDATE "
                      "\"01-Jan-1970 00:00:20 +0000\")\r\nA3 OK done\r\n",
                      // UID 13 was never scanned: its size is asked for first, and it is gone.
                      "A4 OK nothing\r\n",
                      "* 1 FETCH (UID 10 BODY[] {5}\r\nfir",
                      "st)\r\nA5 OK done\r\n* 2 FETCH (UID 11 BODY[] {6}\r\nsecond)\r\n",
                      "* 3 FETCH (UID 12 BODY[] \"third\")\r\nA6 OK done\r\n",
                  },
                  [&](imap_store& store) -> asio::awaitable<void> {
                      sync::folder_scan scan;
                      CO_ASSERT_NO_ERROR(co_await store.scan("INBOX", scan), store.diagnostics());
                      const std::vector<std::string> ids{"12", "10", "11", "13"};
                      CO_ASSERT_NO_ERROR(co_await store.read_messages("INBOX", ids, receiver),
                                         store.diagnostics());
                  });
    EXPECT_EQ(written, "A2 SELECT INBOX\r\n"
                       "A3 UID FETCH 1:* (FLAGS RFC822.SIZE INTERNALDATE)\r\n"
                       "A4 UID FETCH 13 (RFC822.SIZE INTERNALDATE)\r\n"
                       "A5 UID FETCH 10 (UID BODY.PEEK[])\r\n"
                       "A6 UID FETCH 11:12 (UID BODY.PEEK[])\r\n");
    ASSERT_EQ(receiver.messages.size(), 3U);
    EXPECT_EQ(receiver.messages[0].header.id, "10");
    EXPECT_EQ(receiver.messages[0].header.size, 5U);
    EXPECT_EQ(receiver.messages[0].header.internal_date, 1795245342);
    EXPECT_EQ(receiver.messages[0].bytes, "first");
    EXPECT_EQ(receiver.messages[0].chunks, 1) << "a small body split across reads goes as one";
    EXPECT_EQ(receiver.messages[1].header.id, "11");
    EXPECT_EQ(receiver.messages[1].header.internal_date, 10);
    EXPECT_EQ(receiver.messages[1].bytes, "second");
    EXPECT_EQ(receiver.messages[2].header.id, "12");
    EXPECT_EQ(receiver.messages[2].bytes, "third");
    for (const auto& m : receiver.messages)
        EXPECT_FALSE(m.error) << m.header.id;
}

// The two messages of INBOX as a scan answers them (A3), and their bodies (A4).
constexpr std::string_view inbox_selected =
    "* 2 EXISTS\r\n* OK [UIDVALIDITY 3] ok\r\nA2 OK selected\r\n";
constexpr std::string_view inbox_scanned =
    "* 1 FETCH (UID 10 FLAGS () RFC822.SIZE 5 INTERNALDATE \"01-Jan-1970 00:00:10 +0000\")\r\n"
    "* 2 FETCH (UID 11 FLAGS (\\Seen) RFC822.SIZE 6 INTERNALDATE "
    "\"01-Jan-1970 00:00:20 +0000\")\r\nA3 OK done\r\n";
constexpr std::string_view inbox_bodies =
    "* 1 FETCH (UID 10 BODY[] {5}\r\nfirst)\r\n* 2 FETCH (UID 11 BODY[] {6}\r\nsecond)\r\n"
    "A4 OK done\r\n";
constexpr std::string_view inbox_read = "A2 SELECT INBOX\r\n"
                                        "A3 UID FETCH 1:* (FLAGS RFC822.SIZE INTERNALDATE)\r\n"
                                        "A4 UID FETCH 10:11 (UID BODY.PEEK[])\r\n";

// inbox_read, then the early scan of "Sent" behind it.
const std::string inbox_read_and_early_scan =
    std::string(inbox_read) + "A5 SELECT Sent\r\n"
                              "A6 UID FETCH 1:* (FLAGS RFC822.SIZE INTERNALDATE)\r\n";

// Scans INBOX, says "Sent" is scanned next, and reads INBOX's two messages (inbox_read).
asio::awaitable<std::error_code> read_inbox_expecting_sent(imap_store& store,
                                                           recording_receiver& receiver) {
    sync::folder_scan scan;
    if (const auto ec = co_await store.scan("INBOX", scan))
        co_return ec;
    store.expect_scans({{"Sent", "", ""}});
    const std::vector<std::string> ids{"10", "11"};
    co_return co_await store.read_messages("INBOX", ids, receiver);
}

// expect_scan(): the next folder's SELECT and scan go out right behind the read's last UID
// FETCH, and scan() of that folder takes their answers, here in the same read as the bodies'
// (each command gets the untagged data before its own tagged answer).
TEST(imap_store_transcript, an_expected_scan_is_sent_behind_the_last_body_fetch) {
    recording_receiver receiver;
    sync::folder_scan sent;
    const auto written =
        run_store("UIDPLUS",
                  {std::string(inbox_selected), std::string(inbox_scanned),
                   std::string(inbox_bodies) +
                       "* 1 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\nA5 OK selected\r\n"
                       "* 1 FETCH (UID 4 FLAGS (\\Flagged) RFC822.SIZE 9 INTERNALDATE "
                       "\"01-Jan-1970 00:00:30 +0000\")\r\nA6 OK done\r\n"},
                  [&](imap_store& store) -> asio::awaitable<void> {
                      CO_ASSERT_NO_ERROR(co_await read_inbox_expecting_sent(store, receiver),
                                         store.diagnostics());
                      CO_ASSERT_NO_ERROR(co_await store.scan("Sent", sent), store.diagnostics());
                  });
    EXPECT_EQ(written, inbox_read_and_early_scan);
    ASSERT_EQ(receiver.messages.size(), 2U);
    EXPECT_EQ(receiver.messages[1].bytes, "second");
    EXPECT_EQ(sent.epoch, "7");
    ASSERT_EQ(sent.messages.size(), 1U);
    EXPECT_EQ(sent.messages[0].id, "4");
    EXPECT_EQ(sent.messages[0].flags, flagged);
}

// A hint not followed: the next operation reads the early answers, and the folder it needs is
// selected again (the server has "Sent" selected by then).
TEST(imap_store_transcript, an_expected_scan_not_taken_is_read_and_the_folder_selected_again) {
    recording_receiver receiver;
    const auto written = run_store(
        "UIDPLUS",
        {std::string(inbox_selected), std::string(inbox_scanned), std::string(inbox_bodies),
         "* 0 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\nA5 OK selected\r\nA6 OK done\r\n",
         "* 2 EXISTS\r\n* OK [UIDVALIDITY 3] ok\r\nA7 OK selected\r\n",
         "* 1 FETCH (UID 10 BODY[] {5}\r\nagain)\r\nA8 OK done\r\n"},
        [&](imap_store& store) -> asio::awaitable<void> {
            CO_ASSERT_NO_ERROR(co_await read_inbox_expecting_sent(store, receiver),
                               store.diagnostics());
            const std::vector<std::string> once_more{"10"};
            CO_ASSERT_NO_ERROR(co_await store.read_messages("INBOX", once_more, receiver),
                               store.diagnostics());
        });
    EXPECT_EQ(written, inbox_read_and_early_scan + "A7 SELECT INBOX\r\n"
                                                   "A8 UID FETCH 10 (UID BODY.PEEK[])\r\n");
    ASSERT_EQ(receiver.messages.size(), 3U);
    EXPECT_EQ(receiver.messages[2].bytes, "again");
}

// The early SELECT refused (the folder is gone): scan() of it fails as a SELECT would, and the
// session goes on.
TEST(imap_store_transcript, an_expected_scan_refused_fails_that_scan_only) {
    recording_receiver receiver;
    std::error_code scan_error;
    const auto written = run_store(
        "UIDPLUS",
        {std::string(inbox_selected), std::string(inbox_scanned), std::string(inbox_bodies),
         "A5 NO [NONEXISTENT] no such mailbox\r\nA6 BAD no mailbox selected\r\n",
         "* 2 EXISTS\r\n* OK [UIDVALIDITY 3] ok\r\nA7 OK selected\r\n",
         "* 2 FETCH (UID 11 BODY[] {6}\r\nsecond)\r\nA8 OK done\r\n"},
        [&](imap_store& store) -> asio::awaitable<void> {
            CO_ASSERT_NO_ERROR(co_await read_inbox_expecting_sent(store, receiver),
                               store.diagnostics());
            sync::folder_scan sent;
            scan_error = co_await store.scan("Sent", sent);
            const std::vector<std::string> again{"11"};
            CO_ASSERT_NO_ERROR(co_await store.read_messages("INBOX", again, receiver),
                               store.diagnostics());
        });
    EXPECT_EQ(scan_error, imap_errc::command_failed);
    EXPECT_EQ(written, inbox_read_and_early_scan + "A7 SELECT INBOX\r\n"
                                                   "A8 UID FETCH 11 (UID BODY.PEEK[])\r\n");
    ASSERT_EQ(receiver.messages.size(), 3U);
    EXPECT_EQ(receiver.messages[2].bytes, "second");
}

// The hinted folder is empty and the server refuses UID FETCH 1:* there (BAD): the scan sees
// EXISTS 0 and does not need that answer, as a scan that sent no FETCH.
TEST(imap_store_transcript, an_expected_scan_of_an_empty_folder_ignores_a_refused_fetch) {
    recording_receiver receiver;
    sync::folder_scan sent;
    sent.messages.push_back({});
    const auto written = run_store(
        "UIDPLUS",
        {std::string(inbox_selected), std::string(inbox_scanned), std::string(inbox_bodies),
         "* 0 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\nA5 OK selected\r\n"
         "A6 BAD invalid message set\r\n"},
        [&](imap_store& store) -> asio::awaitable<void> {
            CO_ASSERT_NO_ERROR(co_await read_inbox_expecting_sent(store, receiver),
                               store.diagnostics());
            CO_ASSERT_NO_ERROR(co_await store.scan("Sent", sent), store.diagnostics());
        });
    EXPECT_EQ(written, inbox_read_and_early_scan);
    EXPECT_EQ(sent.epoch, "7");
    EXPECT_TRUE(sent.messages.empty());
}

// The connection ends after the last body's answer, before the early answers: the read has
// passed on every message, and the scan of the hinted folder fails with the connection.
TEST(imap_store_transcript, a_connection_lost_before_the_early_answers_fails_that_scan) {
    recording_receiver receiver;
    std::error_code scan_error;
    run_store("UIDPLUS",
              {std::string(inbox_selected), std::string(inbox_scanned), std::string(inbox_bodies)},
              [&](imap_store& store) -> asio::awaitable<void> {
                  CO_ASSERT_NO_ERROR(co_await read_inbox_expecting_sent(store, receiver),
                                     store.diagnostics());
                  sync::folder_scan sent;
                  scan_error = co_await store.scan("Sent", sent);
              });
    EXPECT_EQ(scan_error, net::net_errc::connection_closed);
    ASSERT_EQ(receiver.messages.size(), 2U);
    EXPECT_FALSE(receiver.messages[0].error);
    EXPECT_FALSE(receiver.messages[1].error);
}

// A server that names the UID only after the body, with an early scan behind the read: the
// early answers are read, INBOX is selected again for the one-UID commands, and the hinted
// folder is then scanned the usual way.
TEST(imap_store_transcript, a_uid_after_the_body_with_an_early_scan_reselects_the_folder) {
    recording_receiver receiver;
    sync::folder_scan sent;
    const auto written = run_store(
        "UIDPLUS",
        {std::string(inbox_selected), std::string(inbox_scanned),
         "* 1 FETCH (BODY[] {5}\r\nfirst UID 10)\r\n* 2 FETCH (BODY[] {6}\r\nsecond UID 11)\r\n"
         "A4 OK done\r\n",
         "* 0 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\nA5 OK selected\r\nA6 OK done\r\n",
         "* 2 EXISTS\r\n* OK [UIDVALIDITY 3] ok\r\nA7 OK selected\r\n",
         "* 1 FETCH (BODY[] {5}\r\nfirst UID 10)\r\nA8 OK done\r\n",
         "* 2 FETCH (BODY[] {6}\r\nsecond UID 11)\r\nA9 OK done\r\n",
         "* 1 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\nA10 OK selected\r\n",
         "* 1 FETCH (UID 4 FLAGS () RFC822.SIZE 9 INTERNALDATE "
         "\"01-Jan-1970 00:00:30 +0000\")\r\nA11 OK done\r\n"},
        [&](imap_store& store) -> asio::awaitable<void> {
            CO_ASSERT_NO_ERROR(co_await read_inbox_expecting_sent(store, receiver),
                               store.diagnostics());
            CO_ASSERT_NO_ERROR(co_await store.scan("Sent", sent), store.diagnostics());
        });
    EXPECT_EQ(written, inbox_read_and_early_scan +
                           "A7 SELECT INBOX\r\n"
                           "A8 UID FETCH 10 (UID BODY.PEEK[])\r\n"
                           "A9 UID FETCH 11 (UID BODY.PEEK[])\r\n"
                           "A10 SELECT Sent\r\n"
                           "A11 UID FETCH 1:* (FLAGS RFC822.SIZE INTERNALDATE)\r\n");
    ASSERT_EQ(receiver.messages.size(), 2U);
    EXPECT_EQ(receiver.messages[0].bytes, "first");
    EXPECT_EQ(receiver.messages[1].bytes, "second");
    ASSERT_EQ(sent.messages.size(), 1U);
    EXPECT_EQ(sent.messages[0].id, "4");
}

// Passes everything on to a recording_receiver, and before the first message calls
// `before_first` (to see what the store had sent by then).
class first_body_probe final : public sync::message_receiver {
public:
    recording_receiver inner;
    std::function<void()> before_first;

    sync::task<std::error_code> open(const sync::message_header& header,
                                     sync::message_sink*& sink) override {
        if (inner.messages.empty())
            before_first();
        return inner.open(header, sink);
    }
    sync::task<std::error_code> close(const sync::message_header& header,
                                      std::error_code ec) override {
        return inner.close(header, ec);
    }
};

// Reads `count` messages of INBOX that the scan says are `size` bytes each (their bodies are
// "body"); returns the UID FETCH commands of bodies written before the first body came.
std::vector<std::string> body_fetches_before_the_first_body(std::uint32_t count,
                                                            std::uint64_t size) {
    std::string scanned;
    std::string bodies;
    std::vector<std::string> ids;
    for (std::uint32_t uid = 1; uid <= count; ++uid) {
        scanned += fmt::format("* {0} FETCH (UID {0} FLAGS () RFC822.SIZE {1} INTERNALDATE "
                               "\"01-Jan-1970 00:00:10 +0000\")\r\n",
                               uid, size);
        bodies += fmt::format("* {0} FETCH (UID {0} BODY[] {{4}}\r\nbody)\r\n", uid);
        ids.push_back(std::to_string(uid));
    }
    net::fake_stream fake;
    first_body_probe receiver;
    std::string sent_then;
    receiver.before_first = [&] {
        sent_then = fake.written();
    };
    // Every answer after the bodies of all commands, tagged from A4 on (at most one per UID).
    for (std::uint32_t tag = 4; tag < 4 + count; ++tag)
        bodies += fmt::format("A{} OK done\r\n", tag);
    run_store_on(
        fake, "UIDPLUS",
        {fmt::format("* {} EXISTS\r\n* OK [UIDVALIDITY 3] ok\r\nA2 OK selected\r\n", count),
         scanned + "A3 OK done\r\n", bodies},
        [&](imap_store& store) -> asio::awaitable<void> {
            sync::folder_scan scan;
            CO_ASSERT_NO_ERROR(co_await store.scan("INBOX", scan), store.diagnostics());
            (void)co_await store.read_messages("INBOX", ids, receiver);
        });
    std::vector<std::string> fetches;
    std::size_t at = 0;
    while ((at = sent_then.find(" UID FETCH ", at)) != std::string::npos) {
        const auto end = sent_then.find("\r\n", at);
        auto line = sent_then.substr(at + 1, end - at - 1);
        if (line.find("BODY.PEEK[]") != std::string::npos)
            fetches.push_back(line.substr(0, line.find(" (")));
        at = end;
    }
    return fetches;
}

// Bodies are asked for ahead of their answers, by several commands: enough to keep the server
// sending across a round trip (4 commands of 256 small messages), ...
TEST(imap_store_transcript, body_fetches_are_pipelined_four_commands_deep) {
    EXPECT_EQ(body_fetches_before_the_first_body(1100, 10),
              (std::vector<std::string>{"UID FETCH 1:256", "UID FETCH 257:512", "UID FETCH 513:768",
                                        "UID FETCH 769:1024"}));
}

// ... but no more than 16 MB of them, unless a single command asks for more.
TEST(imap_store_transcript, body_fetches_in_flight_are_bounded_by_their_bytes) {
    EXPECT_EQ(body_fetches_before_the_first_body(5, 6'000'000),
              (std::vector<std::string>{"UID FETCH 1", "UID FETCH 2"}));
    EXPECT_EQ(body_fetches_before_the_first_body(2, 40'000'000),
              (std::vector<std::string>{"UID FETCH 1"}));
}

// A small body is collected across reads and passed on whole; a big one goes on in pieces as
// it arrives (memory stays bounded), every byte in order.
TEST(imap_store_transcript, a_big_body_is_passed_on_in_pieces_as_it_arrives) {
    const std::string big(200 * 1024, 'b');
    std::vector<std::string> reads{
        "* 1 EXISTS\r\n* OK [UIDVALIDITY 3] ok\r\nA2 OK selected\r\n",
        "* 1 FETCH (UID 7 RFC822.SIZE " + std::to_string(big.size()) + ")\r\nA3 OK done\r\n",
        "* 1 FETCH (UID 7 BODY[] {" + std::to_string(big.size()) + "}\r\n"};
    for (std::size_t at = 0; at < big.size(); at += 16 * 1024)
        reads.push_back(big.substr(at, 16 * 1024));
    reads.emplace_back(")\r\nA4 OK done\r\n");
    recording_receiver receiver;
    run_store("UIDPLUS", reads, [&](imap_store& store) -> asio::awaitable<void> {
        const std::vector<std::string> ids{"7"};
        CO_ASSERT_NO_ERROR(co_await store.read_messages("INBOX", ids, receiver),
                           store.diagnostics());
    });
    ASSERT_EQ(receiver.messages.size(), 1U);
    EXPECT_EQ(receiver.messages[0].bytes, big);
    EXPECT_GE(receiver.messages[0].chunks, 3) << "200 KB in pieces of about 64 KB";
}

// Three messages of 6 MB are three UID FETCH commands, two in flight at a time. A receiver
// that refuses the first message, or a server that refuses the first command, stops the read
// after the command already sent: the third is never sent and the read ends with the error
// (it once went on to wait for a command it had not sent, with an empty list of tags).
TEST(imap_store_transcript, a_read_stopped_early_sends_no_more_commands_and_ends) {
    const std::string scan_reply =
        "* 1 FETCH (UID 1 RFC822.SIZE 6000000)\r\n* 2 FETCH (UID 2 RFC822.SIZE 6000000)\r\n"
        "* 3 FETCH (UID 3 RFC822.SIZE 6000000)\r\nA3 OK done\r\n";
    const std::string expected = "A2 SELECT INBOX\r\n"
                                 "A3 UID FETCH 1:3 (RFC822.SIZE INTERNALDATE)\r\n"
                                 "A4 UID FETCH 1 (UID BODY.PEEK[])\r\n"
                                 "A5 UID FETCH 2 (UID BODY.PEEK[])\r\n"
                                 "A6 UID STORE 1 +FLAGS.SILENT (\\Seen)\r\n";
    for (const bool receiver_refuses : {true, false}) {
        recording_receiver receiver;
        if (receiver_refuses)
            receiver.fail_open = std::make_error_code(std::errc::no_space_on_device);
        const std::string first_reply =
            receiver_refuses ? "* 1 FETCH (UID 1 BODY[] {5}\r\nhello)\r\nA4 OK done\r\n"
                             : "A4 NO [SERVERBUG] cannot read the message\r\n";
        const auto written =
            run_store("UIDPLUS",
                      {
                          "* 3 EXISTS\r\n* OK [UIDVALIDITY 3] ok\r\nA2 OK selected\r\n",
                          scan_reply,
                          first_reply,
                          "* 2 FETCH (UID 2 BODY[] {5}\r\nworld)\r\nA5 OK done\r\n",
                          "A6 OK stored\r\n",
                      },
                      [&](imap_store& store) -> asio::awaitable<void> {
                          const std::vector<std::string> ids{"1", "2", "3"};
                          const auto ec = co_await store.read_messages("INBOX", ids, receiver);
                          if (receiver_refuses)
                              EXPECT_EQ(ec, std::errc::no_space_on_device);
                          else
                              EXPECT_TRUE(ec) << "a refused UID FETCH is an error";
                          CO_ASSERT_NO_ERROR(co_await store.set_flags("INBOX", "1", seen, 0),
                                             store.diagnostics());
                      });
        EXPECT_EQ(written, expected) << (receiver_refuses ? "receiver refuses" : "server refuses");
    }
}

TEST(imap_store_transcript, a_refusing_receiver_stops_the_read_but_not_the_session) {
    recording_receiver receiver;
    receiver.fail_open = std::make_error_code(std::errc::no_space_on_device);
    const auto written =
        run_store("UIDPLUS",
                  {
                      "* 2 EXISTS\r\n* OK [UIDVALIDITY 3] ok\r\nA2 OK selected\r\n",
                      "* 1 FETCH (UID 1 RFC822.SIZE 5)\r\n* 2 FETCH (UID 2 RFC822.SIZE 5)\r\n"
                      "A3 OK done\r\n",
                      "* 1 FETCH (UID 1 BODY[] {5}\r\nhello)\r\n"
                      "* 2 FETCH (UID 2 BODY[] {5}\r\nworld)\r\nA4 OK done\r\n",
                      "A5 OK noop\r\n",
                  },
                  [&](imap_store& store) -> asio::awaitable<void> {
                      const std::vector<std::string> ids{"1", "2"};
                      EXPECT_EQ(co_await store.read_messages("INBOX", ids, receiver),
                                std::errc::no_space_on_device);
                      CO_ASSERT_NO_ERROR(co_await store.set_flags("INBOX", "1", seen, 0),
                                         store.diagnostics());
                  });
    EXPECT_EQ(written, "A2 SELECT INBOX\r\n"
                       "A3 UID FETCH 1:2 (RFC822.SIZE INTERNALDATE)\r\n"
                       "A4 UID FETCH 1:2 (UID BODY.PEEK[])\r\n"
                       "A5 UID STORE 1 +FLAGS.SILENT (\\Seen)\r\n");
    EXPECT_TRUE(receiver.messages.empty());
}

} // namespace
} // namespace postfach::imap

namespace postfach::imap {
namespace {

TEST(imap_store_transcript, append_without_appenduid_finds_the_uid_by_message_id_and_size) {
    const std::string message = "Message-ID: <m1@x>\r\nSubject: s\r\n\r\nhello\r\n";
    const auto size = std::to_string(message.size());
    const auto written = run_store(
        "LITERAL+",
        {
            "A2 OK appended\r\n",
            "* 2 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\nA3 OK selected\r\n",
            "* SEARCH 3 9\r\nA4 OK done\r\n",
            // Two messages with that Message-ID: only one has the size.
            "* 1 FETCH (UID 3 RFC822.SIZE 4)\r\n* 2 FETCH (UID 9 RFC822.SIZE " + size +
                ")\r\nA5 OK done\r\n",
        },
        [&](imap_store& store) -> asio::awaitable<void> {
            sync::new_message m;
            m.folder = "INBOX";
            m.flags = seen;
            m.size = message.size();
            std::unique_ptr<sync::message_writer> writer;
            CO_ASSERT_NO_ERROR(co_await store.begin_message(m, writer), store.diagnostics());
            // Streamed in pieces, the Message-ID split between two.
            CO_ASSERT_NO_ERROR(co_await writer->write(message.substr(0, 15)), "");
            CO_ASSERT_NO_ERROR(co_await writer->write(message.substr(15)), "");
            std::string id;
            CO_ASSERT_NO_ERROR(co_await writer->finish(id), store.diagnostics());
            EXPECT_EQ(id, "9");
        });
    EXPECT_EQ(written, "A2 APPEND INBOX (\\Seen) {" + size + "+}\r\n" + message +
                           "\r\nA3 SELECT INBOX\r\n"
                           "A4 UID SEARCH HEADER Message-ID \"<m1@x>\"\r\n"
                           "A5 UID FETCH 3,9 (RFC822.SIZE INTERNALDATE)\r\n");
}

TEST(imap_store_transcript, an_append_left_unfinished_closes_the_connection) {
    bool failed_after = false;
    run_store("LITERAL+ UIDPLUS", {}, [&](imap_store& store) -> asio::awaitable<void> {
        sync::new_message m;
        m.folder = "INBOX";
        m.size = 100;
        std::unique_ptr<sync::message_writer> writer;
        CO_ASSERT_NO_ERROR(co_await store.begin_message(m, writer), store.diagnostics());
        CO_ASSERT_NO_ERROR(co_await writer->write("short"), "");
        std::string id;
        EXPECT_EQ(co_await writer->finish(id), std::errc::message_size);
        writer.reset();
        // The server would take what follows as the rest of the literal: nothing may.
        std::vector<sync::folder_info> folders;
        failed_after = static_cast<bool>(co_await store.list_folders(folders));
    });
    EXPECT_TRUE(failed_after);
}

} // namespace
} // namespace postfach::imap
