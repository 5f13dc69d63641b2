// sqlite_sync_state: the semantics of the in-memory reference state (memory_store.hpp), on a
// real database that is reopened from disk to see what became durable; schema 4's migration.

#include "state/schema.hpp"
#include "state/sqlite_sync_state.hpp"
#include "state/state_errc.hpp"
#include "tests/unit/support/temp_dir.hpp"
#include "tests/unit/sync/pass_helpers.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>
#include <map>
#include <memory>
#include <sqlite3.h>

namespace fs = std::filesystem;

namespace postfach::state {
namespace {

using sync::side;
using sync::synced_message;

synced_message pair(std::optional<std::string> uid, std::optional<std::string> base,
                    sync::flag_bits flags = 0, std::string identity = "") {
    synced_message r;
    r.ids[0] = std::move(uid);
    r.ids[1] = std::move(base);
    r.flags = flags;
    r.identity = std::move(identity);
    return r;
}

class sqlite_sync_state_test : public ::testing::Test {
protected:
    void SetUp() override { reopen(); }

    // As a new process would: what was not committed is gone.
    void reopen() {
        state_.reset();
        store_ = state_store();
        ASSERT_FALSE(state_store::open(tmp_.path() / "account.sqlite", store_))
            << store_.diagnostics();
        state_ = std::make_unique<sqlite_sync_state>(store_);
    }

    std::vector<std::string> folders() {
        std::vector<std::string> out;
        EXPECT_FALSE(state_->known_folders(out));
        return out;
    }
    std::vector<synced_message> records(const std::string& folder) {
        std::vector<synced_message> out;
        EXPECT_FALSE(state_->load(folder, out));
        return out;
    }

    // What was changed before, committed on the state's thread.
    boost::asio::awaitable<std::error_code> commit_off_the_loop() {
        std::vector<sync::record_change> none;
        co_return co_await state_->async_commit_changes(none);
    }

    test::temp_dir tmp_;
    state_store store_;
    std::unique_ptr<sqlite_sync_state> state_;
};

TEST_F(sqlite_sync_state_test, changes_are_durable_only_after_commit) {
    state_->add_folder("INBOX");
    state_->put("INBOX", nullptr, pair("7", "base-7", 0b10000, "id-7"));
    EXPECT_EQ(records("INBOX").size(), 1u) << "reads see buffered changes";
    reopen();
    EXPECT_TRUE(folders().empty());
    EXPECT_TRUE(records("INBOX").empty());

    state_->add_folder("INBOX");
    state_->put("INBOX", nullptr, pair("7", "base-7", 0b10010, "id-7"));
    ASSERT_FALSE(state_->commit());
    reopen();
    EXPECT_EQ(folders(), std::vector<std::string>{"INBOX"});
    const auto r = records("INBOX");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].id(side::remote), "7");
    EXPECT_EQ(r[0].id(side::local), "base-7");
    EXPECT_EQ(r[0].flags, 0b10010);
    EXPECT_EQ(r[0].identity, "id-7");
}

TEST_F(sqlite_sync_state_test, rollback_discards_the_buffered_changes) {
    state_->add_folder("INBOX");
    ASSERT_FALSE(state_->commit());
    state_->put("INBOX", nullptr, pair("1", "a"));
    state_->add_folder("Other");
    state_->rollback();
    EXPECT_TRUE(records("INBOX").empty());
    EXPECT_EQ(folders(), std::vector<std::string>{"INBOX"});
    state_->put("INBOX", nullptr, pair("2", "b")); // a new transaction after the rollback
    ASSERT_FALSE(state_->commit());
    reopen();
    EXPECT_EQ(records("INBOX").size(), 1u);
}

TEST_F(sqlite_sync_state_test, put_replaces_records_sharing_an_id_with_the_record_or_previous) {
    state_->add_folder("INBOX");
    const auto old = pair("1", "a");
    state_->put("INBOX", nullptr, old);
    state_->put("INBOX", nullptr, pair("2", "b"));
    state_->put("INBOX", nullptr, pair("3", std::nullopt)); // not written locally yet
    // The local copy of 1 was renamed away and re-linked: the previous record goes.
    state_->put("INBOX", &old, pair("1", "c", 0b1));
    // A record sharing only the local id with 2 replaces it too.
    state_->put("INBOX", nullptr, pair("9", "b"));
    ASSERT_FALSE(state_->commit());
    reopen();
    std::map<std::string, std::string> by_uid;
    for (const auto& r : records("INBOX"))
        by_uid[*r.id(side::remote)] = r.id(side::local).value_or("-");
    EXPECT_EQ(by_uid, (std::map<std::string, std::string>{{"1", "c"}, {"3", "-"}, {"9", "b"}}));
}

TEST_F(sqlite_sync_state_test, erase_drops_every_record_sharing_an_id) {
    state_->put("INBOX", nullptr, pair("1", "a"));
    state_->put("INBOX", nullptr, pair(std::nullopt, "b")); // a tombstone of the server side
    state_->erase("INBOX", pair("1", std::nullopt));
    state_->erase("INBOX", pair(std::nullopt, "b"));
    state_->erase("Nowhere", pair("5", "x")); // nothing there: no error
    ASSERT_FALSE(state_->commit());
    EXPECT_TRUE(records("INBOX").empty());
    EXPECT_EQ(folders(), std::vector<std::string>{"INBOX"}) << "a record made the folder known";
}

TEST_F(sqlite_sync_state_test, rename_keeps_records_and_forget_drops_them) {
    state_->add_folder("Projects");
    state_->put("Projects", nullptr, pair("1", "a"));
    state_->set_epoch("Projects", side::remote, "42");
    ASSERT_FALSE(state_->commit());
    state_->rename_folder("Projects", "Archive/Projects");
    ASSERT_FALSE(state_->commit());
    reopen();
    EXPECT_EQ(folders(), std::vector<std::string>{"Archive/Projects"});
    EXPECT_EQ(records("Archive/Projects").size(), 1u);
    EXPECT_EQ(state_->epoch("Archive/Projects", side::remote), "42");
    state_->forget_folder("Archive/Projects");
    ASSERT_FALSE(state_->commit());
    reopen();
    EXPECT_TRUE(folders().empty());
    EXPECT_TRUE(records("Archive/Projects").empty());
}

// put() skips the look-ups of rows to replace in a folder it found without rows and filled
// itself (fresh_folders.hpp); a record sharing an id with one of them must still replace it,
// also after a commit.
TEST_F(sqlite_sync_state_test, put_replaces_records_it_put_into_a_folder_it_found_empty) {
    int statements = 0;
    ::sqlite3_trace_v2(
        store_.connection(), SQLITE_TRACE_STMT,
        [](unsigned, void* count, void*, void*) {
            ++*static_cast<int*>(count);
            return 0;
        },
        &statements);
    state_->put("INBOX", nullptr, pair("1", "base-1"));
    statements = 0;
    for (int uid = 1000; uid >= 2; --uid) // not in order, as an initial sync's may come
        state_->put("INBOX", nullptr, pair(std::to_string(uid), "base-" + std::to_string(uid)));
    EXPECT_EQ(statements, 999) << "one INSERT a record";
    ::sqlite3_trace_v2(store_.connection(), 0, nullptr, nullptr);
    ASSERT_FALSE(state_->commit());
    state_->put("INBOX", nullptr, pair("2000", "base-500")); // a duplicate base name
    state_->put("INBOX", nullptr, pair("700", "base-new"));  // a UID put before
    state_->put("INBOX", nullptr, pair(std::nullopt, "base-900"));
    state_->put("INBOX", nullptr, pair("1001", std::nullopt));
    ASSERT_FALSE(state_->commit());
    reopen();
    std::map<std::string, int> base_names;
    std::map<std::string, int> uids;
    for (const auto& r : records("INBOX")) {
        ++base_names[r.id(side::local).value_or("-")];
        ++uids[r.id(side::remote).value_or("-")];
    }
    EXPECT_EQ(base_names.size(), 1001u); // 1..1000 but 700; new, - (1001)
    EXPECT_EQ(uids.size(), 1001u);       // 1..1001 but 500 and 900; 2000, -
    EXPECT_EQ(base_names["base-500"], 1);
    EXPECT_EQ(base_names["base-700"], 0);
    EXPECT_EQ(base_names["base-new"], 1);
    EXPECT_EQ(base_names["base-900"], 1);
    EXPECT_EQ(uids["500"], 0);
    EXPECT_EQ(uids["700"], 1);
    EXPECT_EQ(uids["900"], 0);
    EXPECT_EQ(uids["-"], 1);
}

// The rows an earlier process left (a pass that crashed after a commit) are looked up.
TEST_F(sqlite_sync_state_test, put_replaces_records_an_earlier_state_left) {
    state_->put("INBOX", nullptr, pair("1", "a"));
    state_->put("INBOX", nullptr, pair("2", "b"));
    ASSERT_FALSE(state_->commit());
    reopen();
    state_->put("INBOX", nullptr, pair("5", "a"));
    state_->put("INBOX", nullptr, pair("2", "z"));
    ASSERT_FALSE(state_->commit());
    std::map<std::string, std::string> by_uid;
    for (const auto& r : records("INBOX"))
        by_uid[*r.id(side::remote)] = r.id(side::local).value_or("-");
    EXPECT_EQ(by_uid, (std::map<std::string, std::string>{{"2", "z"}, {"5", "a"}}));
}

// A folder emptied, then found empty by put(), then the erasure rolled back: its rows are back
// and put() must look them up again.
TEST_F(sqlite_sync_state_test, put_looks_up_the_records_a_rollback_brought_back) {
    state_->put("INBOX", nullptr, pair("1", "a"));
    ASSERT_FALSE(state_->commit());
    reopen();
    state_->erase("INBOX", pair("1", "a"));
    state_->put("INBOX", nullptr, pair("2", "b")); // finds INBOX without rows
    state_->rollback();
    state_->put("INBOX", nullptr, pair("3", "a"));
    ASSERT_FALSE(state_->commit());
    const auto now = records("INBOX");
    ASSERT_EQ(now.size(), 1u);
    EXPECT_EQ(now[0].id(side::remote), "3");
    EXPECT_EQ(now[0].id(side::local), "a");
}

// put() remembers the last folder's row id: neither a rename nor a rolled-back transaction
// (whose new folder row is gone) may leave it pointing at the wrong row.
TEST_F(sqlite_sync_state_test, records_go_to_the_folder_row_of_their_name) {
    state_->put("A", nullptr, pair("1", "a"));
    state_->rename_folder("A", "B");
    state_->put("A", nullptr, pair("2", "b")); // a new folder A
    ASSERT_FALSE(state_->commit());
    state_->put("New", nullptr, pair("3", "c"));
    state_->rollback(); // the row of New is gone
    state_->put("New", nullptr, pair("4", "d"));
    ASSERT_FALSE(state_->commit());
    reopen();
    ASSERT_EQ(records("A").size(), 1u);
    EXPECT_EQ(records("A")[0].id(side::remote), "2");
    ASSERT_EQ(records("B").size(), 1u);
    EXPECT_EQ(records("B")[0].id(side::remote), "1");
    ASSERT_EQ(records("New").size(), 1u);
    EXPECT_EQ(records("New")[0].id(side::remote), "4");
}

TEST_F(sqlite_sync_state_test, the_remote_epoch_is_the_uidvalidity_and_the_local_one_empty) {
    EXPECT_EQ(state_->epoch("INBOX", side::remote), "");
    state_->set_epoch("INBOX", side::local, "ignored");
    state_->set_epoch("INBOX", side::remote, "3857529045");
    ASSERT_FALSE(state_->commit());
    reopen();
    EXPECT_EQ(state_->epoch("INBOX", side::remote), "3857529045");
    EXPECT_EQ(state_->epoch("INBOX", side::local), "");
    std::optional<folder_record> row;
    ASSERT_FALSE(store_.find_folder("INBOX", row));
    ASSERT_TRUE(row);
    EXPECT_EQ(row->uidvalidity, 3857529045u);
}

TEST_F(sqlite_sync_state_test, both_scan_tokens_are_kept_and_records_counted_per_side) {
    state_->set_scan_token("INBOX", side::remote, "1234");
    state_->set_scan_token("INBOX", side::local, "1795700385.946472356/1795700385.946472357");
    state_->put("INBOX", nullptr, pair("1", "a"));
    state_->put("INBOX", nullptr, pair("2", "b"));
    synced_message tombstone;
    tombstone.ids[static_cast<int>(side::remote)] = "3"; // its local copy was deleted
    state_->put("INBOX", nullptr, tombstone);
    state_->put("Sent", nullptr, tombstone); // a folder with a server side only
    ASSERT_FALSE(state_->commit());
    reopen();
    EXPECT_EQ(state_->scan_token("INBOX", side::remote), "1234");
    EXPECT_EQ(state_->scan_token("INBOX", side::local),
              "1795700385.946472356/1795700385.946472357");
    std::array<bool, 2> any{};
    ASSERT_FALSE(state_->has_records("INBOX", any));
    EXPECT_EQ(any, (std::array<bool, 2>{true, true}));
    ASSERT_FALSE(state_->has_records("Sent", any));
    EXPECT_TRUE(any[static_cast<int>(side::remote)]);
    EXPECT_FALSE(any[static_cast<int>(side::local)]);
    ASSERT_FALSE(state_->has_records("Nowhere", any));
    EXPECT_EQ(any, (std::array<bool, 2>{false, false}));
    state_->set_scan_token("INBOX", side::local, "");
    ASSERT_FALSE(state_->commit());
    EXPECT_EQ(state_->scan_token("INBOX", side::local), "");
    EXPECT_EQ(state_->scan_token("INBOX", side::remote), "1234");
}

TEST_F(sqlite_sync_state_test, a_record_that_does_not_fit_fails_the_commit_and_writes_nothing) {
    state_->add_folder("INBOX");
    state_->put("INBOX", nullptr, pair("1", "a"));
    state_->put("INBOX", nullptr, pair("not-a-uid", "b"));
    state_->put("INBOX", nullptr, pair("3", "c")); // ignored after the failure
    EXPECT_EQ(state_->commit(), state_errc::invalid_record);
    reopen();
    EXPECT_TRUE(folders().empty());
    state_->set_epoch("INBOX", side::remote, "99999999999"); // more than 32 bits
    EXPECT_EQ(state_->commit(), state_errc::invalid_record);
    state_->add_folder("INBOX"); // works again after a failed commit
    EXPECT_FALSE(state_->commit());
    reopen();
    EXPECT_EQ(folders().size(), 1u);
}

// async_commit_changes() of no changes is commit() off the loop: durable when it completes, a
// failed change fails it, and while the COMMIT runs (on the state's own thread) the loop runs other
// work.
TEST_F(sqlite_sync_state_test, async_commit_is_durable_when_done_and_leaves_the_loop_free) {
    boost::asio::io_context io;
    bool committed = false;
    bool loop_ran_before_the_commit_ended = false;
    std::error_code commit_ec = std::make_error_code(std::errc::interrupted);
    state_->add_folder("INBOX");
    state_->put("INBOX", nullptr, pair("7", "base-7"));
    // Queued first, so it runs again right after the commit starts: before the commit ended
    // only if async_commit_changes() gave the loop back (a commit on the loop ends in its first
    // step).
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            co_await boost::asio::post(io, boost::asio::use_awaitable);
            loop_ran_before_the_commit_ended = !committed;
        },
        boost::asio::detached);
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            std::vector<sync::record_change> none;
            commit_ec = co_await state_->async_commit_changes(none);
            committed = true;
        },
        boost::asio::detached);
    io.run();
    ASSERT_FALSE(commit_ec);
    EXPECT_TRUE(loop_ran_before_the_commit_ended);
    reopen();
    EXPECT_EQ(records("INBOX").size(), 1u);

    state_->add_folder("Other");
    state_->put("Other", nullptr, pair("not-a-uid", "b"));
    EXPECT_EQ(sync::testing::run_task(commit_off_the_loop()), state_errc::invalid_record);
    state_->put("INBOX", nullptr, pair("8", "base-8")); // a new transaction after it
    ASSERT_FALSE(sync::testing::run_task(commit_off_the_loop()));
    reopen();
    EXPECT_EQ(folders(), std::vector<std::string>{"INBOX"});
    EXPECT_EQ(records("INBOX").size(), 2u);
}

// async_commit_changes() writes the records on the state's thread too, not on the loop: here
// another connection holds the write lock, so the first record waits (SQLite's busy timeout)
// until the loop, free meanwhile, releases it. Written on the loop, the first record would
// hold the loop until the timeout and fail. The changes are the caller's again at the end.
TEST_F(sqlite_sync_state_test, async_commit_changes_writes_the_records_off_the_loop) {
    sqlite3* other = nullptr;
    ASSERT_EQ(::sqlite3_open((tmp_.path() / "account.sqlite").c_str(), &other), SQLITE_OK);
    ASSERT_EQ(::sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
    std::vector<sync::record_change> changes;
    for (int uid = 1; uid <= 300; ++uid)
        changes.push_back({"INBOX", std::nullopt,
                           pair(std::to_string(uid), "base-" + std::to_string(uid), 0, "id")});
    boost::asio::io_context io;
    bool committed = false;
    bool loop_ran_before_the_commit_ended = false;
    std::error_code commit_ec = std::make_error_code(std::errc::interrupted);
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            commit_ec = co_await state_->async_commit_changes(changes);
            committed = true;
        },
        boost::asio::detached);
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            loop_ran_before_the_commit_ended = !committed;
            (void)::sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
            co_return;
        },
        boost::asio::detached);
    io.run();
    ::sqlite3_close(other);
    ASSERT_FALSE(commit_ec) << commit_ec.message();
    EXPECT_TRUE(loop_ran_before_the_commit_ended);
    ASSERT_EQ(changes.size(), 300U);
    EXPECT_EQ(changes[299].record->id(side::remote), "300");
    reopen();
    EXPECT_EQ(records("INBOX").size(), 300U);
}

TEST(sqlite_sync_state_flags, every_flag_bit_round_trips_through_maildir_letters) {
    EXPECT_EQ(flags_to_column(0b110010), "FST");
    for (unsigned bits = 0; bits < 64; ++bits)
        EXPECT_EQ(flags_from_column(flags_to_column(static_cast<sync::flag_bits>(bits))), bits);
}

// Writes a database as schema version 3 left it (frozen: what exists on disks).
void write_version_3_database(const fs::path& path) {
    sqlite3* db = nullptr;
    ASSERT_EQ(::sqlite3_open(path.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    ASSERT_EQ(::sqlite3_exec(db, R"sql(
        CREATE TABLE folders (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
            uidvalidity INTEGER NOT NULL DEFAULT 0, uidnext INTEGER NOT NULL DEFAULT 0,
            highestmodseq INTEGER NOT NULL DEFAULT 0, mailbox_id TEXT NOT NULL DEFAULT '');
        CREATE TABLE messages (id INTEGER PRIMARY KEY,
            folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
            uid INTEGER, base_name TEXT, flags TEXT NOT NULL DEFAULT '',
            size INTEGER NOT NULL, message_id TEXT NOT NULL DEFAULT '',
            content_hash TEXT NOT NULL DEFAULT '', UNIQUE (folder_id, uid),
            CHECK (uid IS NOT NULL OR base_name IS NOT NULL));
        CREATE INDEX messages_by_base_name ON messages (folder_id, base_name);
        CREATE INDEX messages_by_identity ON messages (message_id, size);
        CREATE TABLE pop3_uidls (uidl TEXT PRIMARY KEY, size INTEGER NOT NULL,
            first_fetched INTEGER NOT NULL);
        INSERT INTO folders (id, name, uidvalidity) VALUES (1, 'INBOX', 42);
        INSERT INTO messages (folder_id, uid, base_name, flags, size, message_id, content_hash)
            VALUES (1, 2, 'base-2', 'S', 123, '<m@x>', 'abc');
        PRAGMA user_version = 3;
    )sql",
                             nullptr, nullptr, &error),
              SQLITE_OK)
        << error;
    ::sqlite3_close(db);
}

TEST(state_schema, version_4_adds_the_identity_keeping_every_record) {
    test::temp_dir tmp;
    const auto path = tmp.path() / "v3.sqlite";
    write_version_3_database(path);
    state_store store;
    ASSERT_FALSE(state_store::open(path, store)) << store.diagnostics();
    EXPECT_EQ(store.schema_version(), latest_schema_version);
    std::vector<message_record> same;
    ASSERT_FALSE(store.find_messages_by_identity("<m@x>", 123, "abc", same));
    ASSERT_EQ(same.size(), 1u);
    EXPECT_EQ(same[0].identity, "");
    EXPECT_EQ(same[0].flags, "S");
    same[0].identity = "123:abcdef";
    ASSERT_FALSE(store.save_message(same[0]));
    sqlite_sync_state state(store);
    std::vector<synced_message> records;
    ASSERT_FALSE(state.load("INBOX", records));
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].identity, "123:abcdef");
    EXPECT_EQ(records[0].id(side::remote), "2");
    EXPECT_EQ(records[0].flags, 1 << 4);
    EXPECT_EQ(state.epoch("INBOX", side::remote), "42");
}

} // namespace
} // namespace postfach::state
