// The whole stack of a sync against the fixture Dovecot: the engine between an imap_store
// (remote) and a maildir_store (local), with the SQLite state. Each rule in one test: the
// change on one side arrives on the other, and a second pass has nothing to do.

#include "imap/connection.hpp"
#include "imap/imap_store.hpp"
#include "maildir/maildir_store.hpp"
#include "state/sqlite_sync_state.hpp"
#include "state/state_store.hpp"
#include "sync/account_pass.hpp"
#include "tests/fixture/dovecot_server.hpp"
#include "tests/support/coroutine_runner.hpp"
#include "tests/unit/support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <gtest/gtest.h>
#include <memory>
#include <set>
#include <sys/stat.h>

namespace postfach::imap {
namespace {

namespace asio = boost::asio;
using postfach::test::dovecot_server;
using postfach::test::make_message;
using postfach::test::run_until_done;

using namespace sync::flag_bit; // draft, flagged, forwarded, answered, seen, deleted

std::string describe(const sync::pass_result& r) {
    std::string text = r.error ? r.error.message() + ": " + r.error_detail : std::string();
    for (const auto& f : r.folders)
        if (f.error)
            text += f.folder + ": " + f.error.message() + " (" + f.error_detail + "); ";
    return text;
}

std::size_t sum(const std::array<std::size_t, 2>& counts) {
    return counts[0] + counts[1];
}

class imap_sync_fixture : public ::testing::Test {
protected:
    explicit imap_sync_fixture(postfach::test::dovecot_options options = {})
        : server_(std::move(options)) {
        std::filesystem::create_directories(dir_.path() / "mail");
        EXPECT_FALSE(state::state_store::open(dir_.path() / "state.sqlite", db_))
            << db_.diagnostics();
        state_ = std::make_unique<state::sqlite_sync_state>(db_);
    }

    // Mail on the server in nested and non-ASCII folders; returns after the first pass.
    void seed_and_sync() {
        seed();
        const auto first = pass();
        EXPECT_EQ(first.copied[1], 4U);
        EXPECT_EQ(first.copied[0], 0U);
        EXPECT_EQ(local_count("INBOX"), 2U);
        EXPECT_EQ(local_count("Archiv"), 1U);
        EXPECT_EQ(local_count("Projekte/Größe"), 1U);
    }

    void seed() {
        inbox_uids_[0] = server_.add_message("alice", "INBOX", make_message("eins"));
        inbox_uids_[1] = server_.add_message("alice", "INBOX", make_message("zwei"), {"\\Seen"});
        server_.create_folder("alice", "Archiv");
        archiv_uid_ = server_.add_message("alice", "Archiv", make_message("alt"), {"\\Flagged"});
        server_.create_folder("alice", "Projekte/Größe");
        nested_uid_ = server_.add_message("alice", "Projekte/Größe", make_message("groß"));
    }

    config::server_config alice() const {
        config::server_config s;
        s.host = "localhost";
        s.tls = config::tls_mode::implicit;
        s.port = server_.imaps_port();
        s.ca_file = server_.ca_file();
        s.user = "alice";
        s.secret.password = secret_string(server_.user("alice").password);
        return s;
    }

    // One pass over a store of an open connection. The selector is asked about each folder
    // right after each side's listing (the server's first).
    asio::awaitable<sync::pass_result> pass_over(imap_store& remote,
                                                 sync::folder_selector select = every_folder) {
        std::array<sync::store*, 2> stores{&remote, &local_};
        auto result = co_await sync::run_account_pass(stores, *state_, std::move(select), {});
        EXPECT_FALSE(result.any_error()) << describe(result) << remote.diagnostics();
        co_return result;
    }
    static bool every_folder(const sync::folder_info&) { return true; }

    sync::pass_result pass(sync::folder_selector select = every_folder) {
        asio::io_context io;
        const auto s = alice();
        connection c(io.get_executor(), s, connection_options_for(s, "test"));
        sync::pass_result result;
        run_until_done(io, [&]() -> asio::awaitable<void> {
            CO_ASSERT_NO_ERROR(co_await c.open(), c.diagnostics());
            imap_store remote(c.session());
            result = co_await pass_over(remote, select);
            CO_ASSERT_NO_ERROR(co_await c.logout(), c.diagnostics());
        });
        return result;
    }

    // Sets the mtimes of every local new/ and cur/ 10 s into the past, as if the Maildir had
    // not changed for a while: its scans then give tokens (maildir/folder_token.hpp).
    void age_local_folders() {
        struct timespec now {};
        ::clock_gettime(CLOCK_REALTIME, &now);
        const struct timespec times[2] = {{0, UTIME_OMIT}, {now.tv_sec - 10, 123456789}};
        for (const auto& e : std::filesystem::recursive_directory_iterator(dir_.path() / "mail")) {
            const auto name = e.path().filename();
            if (e.is_directory() && (name == "new" || name == "cur")) {
                ASSERT_EQ(::utimensat(AT_FDCWD, e.path().c_str(), times, 0), 0) << e.path();
            }
        }
    }

    void expect_nothing_to_do() {
        const auto r = pass();
        EXPECT_EQ(sum(r.copied) + sum(r.flagged) + sum(r.removed) + sum(r.moved) + r.linked, 0U)
            << "a second pass changes nothing";
    }

    std::vector<sync::scanned_message> local_scan(const std::string& folder) {
        asio::io_context io;
        sync::folder_scan scan;
        run_until_done(io, [&]() -> asio::awaitable<void> {
            CO_ASSERT_NO_ERROR(co_await local_.scan(folder, scan), folder);
        });
        return scan.messages;
    }
    std::size_t local_count(const std::string& folder) { return local_scan(folder).size(); }

    void local_change(const std::function<asio::awaitable<std::error_code>(sync::store&)>& f) {
        asio::io_context io;
        run_until_done(io, [&]() -> asio::awaitable<void> {
            CO_ASSERT_NO_ERROR(co_await f(local_), "local change");
            CO_ASSERT_NO_ERROR(co_await local_.commit(), "local commit");
        });
    }

    std::string server_flags(std::string_view folder, std::uint32_t uid) {
        return server_.doveadm({"fetch", "-u", "alice", "flags", "mailbox", std::string(folder),
                                "uid", std::to_string(uid)});
    }

    dovecot_server server_;
    postfach::test::temp_dir dir_;
    state::state_store db_;
    std::unique_ptr<state::sqlite_sync_state> state_;
    maildir::maildir_store local_{
        maildir::folder_layout(dir_.path() / "mail", maildir::layout_kind::maildir_plus_plus)};
    std::array<std::uint32_t, 2> inbox_uids_{};
    std::uint32_t archiv_uid_ = 0;
    std::uint32_t nested_uid_ = 0;
};

class imap_sync_test : public imap_sync_fixture {};

TEST_F(imap_sync_test, initial_sync_of_nested_and_non_ascii_folders_then_nothing_to_do) {
    seed_and_sync();
    const auto inbox = local_scan("INBOX");
    std::size_t seen_count = 0;
    for (const auto& m : inbox)
        seen_count += m.flags == seen ? 1 : 0;
    EXPECT_EQ(seen_count, 1U);
    const auto archiv = local_scan("Archiv");
    EXPECT_TRUE(archiv.size() == 1 && archiv[0].flags == flagged);
    expect_nothing_to_do();
}

TEST_F(imap_sync_test, flags_both_ways) {
    seed_and_sync();
    server_.add_flags("alice", "Projekte/Größe", nested_uid_, {"\\Flagged", "\\Seen"});
    const auto archiv = local_scan("Archiv");
    ASSERT_EQ(archiv.size(), 1U);
    local_change([&](sync::store& local) -> asio::awaitable<std::error_code> {
        co_return co_await local.set_flags("Archiv", archiv[0].id, seen, flagged);
    });
    const auto r = pass();
    EXPECT_EQ(r.flagged[0], 1U);
    EXPECT_EQ(r.flagged[1], 1U);
    const auto nested = local_scan("Projekte/Größe");
    EXPECT_TRUE(nested.size() == 1 && nested[0].flags == (seen | flagged));
    const auto flags = server_flags("Archiv", archiv_uid_);
    EXPECT_NE(flags.find("\\Seen"), std::string::npos) << flags;
    EXPECT_EQ(flags.find("\\Flagged"), std::string::npos) << flags;
    expect_nothing_to_do();
}

TEST_F(imap_sync_test, deletions_both_ways) {
    seed_and_sync();
    server_.expunge("alice", "Projekte/Größe", nested_uid_);
    const auto archiv = local_scan("Archiv");
    ASSERT_EQ(archiv.size(), 1U);
    local_change([&](sync::store& local) -> asio::awaitable<std::error_code> {
        co_return co_await local.remove_message("Archiv", archiv[0].id);
    });
    const auto r = pass();
    EXPECT_EQ(r.removed[0], 1U);
    EXPECT_EQ(r.removed[1], 1U);
    EXPECT_EQ(local_count("Projekte/Größe"), 0U);
    EXPECT_EQ(server_.message_count("alice", "Archiv"), 0U);
    EXPECT_EQ(server_.message_count("alice", "INBOX"), 2U);
    expect_nothing_to_do();
}

TEST_F(imap_sync_test, server_side_move_is_a_local_move_without_download) {
    seed_and_sync();
    server_.doveadm({"move", "-u", "alice", "Archiv", "mailbox", "INBOX", "uid",
                     std::to_string(inbox_uids_[1])});
    const auto r = pass();
    EXPECT_EQ(r.moved[1], 1U);
    EXPECT_EQ(sum(r.copied), 0U) << "no download, no upload";
    EXPECT_EQ(sum(r.removed), 0U);
    EXPECT_EQ(local_count("INBOX"), 1U);
    const auto archiv = local_scan("Archiv");
    EXPECT_EQ(archiv.size(), 2U);
    EXPECT_EQ(server_.message_count("alice", "Archiv"), 2U);
    expect_nothing_to_do();
}

TEST_F(imap_sync_test, local_message_is_uploaded) {
    seed_and_sync();
    const auto message = make_message("von hier", "lokal\r\n");
    local_change([&](sync::store& local) -> asio::awaitable<std::error_code> {
        sync::new_message m;
        m.folder = "Projekte/Größe";
        m.flags = seen;
        m.size = message.size();
        std::string id;
        co_return co_await local.write_message(
            m,
            [&](sync::message_sink& sink) -> sync::task<std::error_code> {
                co_return co_await sink.write(message);
            },
            id);
    });
    const auto r = pass();
    EXPECT_EQ(r.copied[0], 1U);
    EXPECT_EQ(server_.message_count("alice", "Projekte/Größe"), 2U);
    expect_nothing_to_do();
}

TEST_F(imap_sync_test, uidvalidity_change_re_pairs_without_download) {
    seed_and_sync();
    server_.doveadm({"mailbox", "update", "-u", "alice", "--uid-validity", "4242", "INBOX"});
    const auto r = pass();
    EXPECT_EQ(sum(r.copied), 0U) << "nothing downloaded or uploaded again";
    EXPECT_EQ(sum(r.removed), 0U);
    EXPECT_EQ(r.linked, 2U);
    EXPECT_EQ(local_count("INBOX"), 2U);
    EXPECT_EQ(server_.message_count("alice", "INBOX"), 2U);
    EXPECT_EQ(state_->epoch("INBOX", sync::side::remote), "4242");
    expect_nothing_to_do();
}

// A daemon keeps its connection: later passes scan with CONDSTORE (CHANGEDSINCE) and still see
// every change.
TEST_F(imap_sync_test, passes_over_one_connection_see_every_change) {
    seed();
    asio::io_context io;
    const auto s = alice();
    connection c(io.get_executor(), s, connection_options_for(s, "test"));
    std::array<sync::pass_result, 3> r;
    run_until_done(io, [&]() -> asio::awaitable<void> {
        CO_ASSERT_NO_ERROR(co_await c.open(), c.diagnostics());
        imap_store remote(c.session());
        r[0] = co_await pass_over(remote);
        server_.add_flags("alice", "Projekte/Größe", nested_uid_, {"\\Seen"});
        server_.expunge("alice", "INBOX", inbox_uids_[0]);
        server_.add_message("alice", "Archiv", make_message("neu"));
        r[1] = co_await pass_over(remote);
        r[2] = co_await pass_over(remote);
        CO_ASSERT_NO_ERROR(co_await c.logout(), c.diagnostics());
    });
    EXPECT_EQ(r[0].copied[1], 4U);
    EXPECT_EQ(r[1].flagged[1], 1U);
    EXPECT_EQ(r[1].removed[1], 1U);
    EXPECT_EQ(r[1].copied[1], 1U);
    EXPECT_EQ(sum(r[1].copied) + sum(r[1].flagged) + sum(r[1].removed), 3U);
    EXPECT_EQ(sum(r[2].copied) + sum(r[2].flagged) + sum(r[2].removed) + sum(r[2].moved), 0U);
    EXPECT_EQ(local_count("INBOX"), 1U);
    EXPECT_EQ(local_count("Archiv"), 2U);
    const auto nested = local_scan("Projekte/Größe");
    EXPECT_TRUE(nested.size() == 1 && nested[0].flags == seen);
}

// The three ways a pass learns what changed on the server, each from the state of the last
// run (a new connection): QRESYNC (SELECT with the saved HIGHESTMODSEQ, VANISHED), CONDSTORE
// only (CHANGEDSINCE, UID SEARCH for expunges), and the full UID/FLAGS scan.
struct sync_path {
    const char* name;
    const char* capability; // imap_capability; nullptr: Dovecot's defaults (QRESYNC)
    bool tracks_changes;    // a scan token is kept
    bool lists_status;      // LIST-STATUS and QRESYNC: the listing tells unchanged folders
};

class imap_sync_paths : public imap_sync_fixture, public ::testing::WithParamInterface<sync_path> {
protected:
    imap_sync_paths()
        : imap_sync_fixture(options()) {}
    static postfach::test::dovecot_options options() {
        postfach::test::dovecot_options o;
        if (GetParam().capability != nullptr)
            o.imap_capability = GetParam().capability;
        return o;
    }
};

TEST_P(imap_sync_paths, new_mail_flag_change_and_expunge_on_the_server_are_seen) {
    seed_and_sync();
    EXPECT_EQ(state_->scan_token("INBOX", sync::side::remote).empty(), !GetParam().tracks_changes);
    server_.add_flags("alice", "INBOX", inbox_uids_[0], {"\\Flagged"});
    server_.expunge("alice", "INBOX", inbox_uids_[1]);
    server_.add_message("alice", "INBOX", make_message("drei"), {"\\Answered"});
    const auto r = pass();
    EXPECT_EQ(r.copied[1], 1U);
    EXPECT_EQ(r.flagged[1], 1U);
    EXPECT_EQ(r.removed[1], 1U);
    std::multiset<sync::flag_bits> flags;
    for (const auto& m : local_scan("INBOX"))
        flags.insert(m.flags);
    EXPECT_EQ(flags, (std::multiset<sync::flag_bits>{flagged, answered}));
    EXPECT_EQ(local_count("Archiv"), 1U);
    expect_nothing_to_do();
    EXPECT_EQ(state_->scan_token("INBOX", sync::side::remote).empty(), !GetParam().tracks_changes);
}

// A folder unchanged on both sides is skipped; with LIST-STATUS on what the listing said, so
// mail that arrives after the listing is not seen by this pass: the next one finds it (its
// listing shows a new HIGHESTMODSEQ). Without LIST-STATUS the skip's SELECT sees it at once.
TEST_P(imap_sync_paths, mail_arriving_after_the_listing_is_found_by_this_pass_or_the_next) {
    seed_and_sync();
    age_local_folders();
    pass(); // scans with settled mtimes: tokens on both sides
    bool arrived = false;
    const auto during = pass([&](const sync::folder_info&) {
        if (!arrived) // right after the server's listing
            server_.add_message("alice", "INBOX", make_message("spät"));
        arrived = true;
        return true;
    });
    ASSERT_TRUE(arrived);
    EXPECT_EQ(during.copied[1], GetParam().lists_status ? 0U : 1U);
    const auto next = pass();
    EXPECT_EQ(during.copied[1] + next.copied[1], 1U);
    EXPECT_EQ(local_count("INBOX"), 3U);
    expect_nothing_to_do();
}

INSTANTIATE_TEST_SUITE_P(
    capabilities, imap_sync_paths,
    ::testing::Values(
        sync_path{"qresync", nullptr, true, true},
        sync_path{"qresync_without_list_status",
                  "IMAP4rev1 LITERAL+ UIDPLUS MOVE UNSELECT ENABLE CONDSTORE QRESYNC", true, false},
        sync_path{"condstore", "IMAP4rev1 LITERAL+ UIDPLUS MOVE UNSELECT CONDSTORE", true, false},
        sync_path{"plain", "IMAP4rev1 LITERAL+ UIDPLUS MOVE UNSELECT", false, false}),
    [](const ::testing::TestParamInfo<sync_path>& param) { return std::string(param.param.name); });

} // namespace
} // namespace postfach::imap
