#include "state/schema.hpp"
#include "state/state_errc.hpp"
#include "state/state_store.hpp"
#include "tests/unit/support/temp_dir.hpp"

#include <chrono>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <thread>

namespace fs = std::filesystem;

namespace postfach::state {
namespace {

unsigned mode_of(const fs::path& p) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0)
        return 0xffff;
    return st.st_mode & 0777;
}

class state_store_test : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_FALSE(state_store::open(db_path_, store_)) << store_.diagnostics();
    }

    folder_record add_folder(std::string name) {
        folder_record f;
        f.name = std::move(name);
        f.uidvalidity = 1700000000;
        f.uidnext = 10;
        EXPECT_FALSE(store_.save_folder(f));
        return f;
    }

    message_record add_message(std::int64_t folder_id, std::uint32_t uid) {
        message_record m;
        m.folder_id = folder_id;
        m.uid = uid;
        m.base_name = "1700000000.M1P1Q" + std::to_string(uid) + ".host";
        m.flags = "\\Seen";
        m.size = 1000 + uid;
        m.message_id = "<" + std::to_string(uid) + "@example.com>";
        m.content_hash = "hash" + std::to_string(uid);
        EXPECT_FALSE(store_.save_message(m));
        return m;
    }

    // A PASSIVE checkpoint on a connection of its own: the frames in the WAL (as the next open
    // recovers them) and how many of them are in the database file after it; -1 on failure.
    std::pair<int, int> checkpoint_by_another_connection() {
        sqlite3* raw = nullptr;
        int frames = -1;
        int copied = -1;
        // The read opens the WAL (SQLite 3.40 checkpoints nothing on a connection without).
        if (::sqlite3_open(db_path_.c_str(), &raw) == SQLITE_OK &&
            ::sqlite3_exec(raw, "PRAGMA schema_version", nullptr, nullptr, nullptr) == SQLITE_OK)
            (void)::sqlite3_wal_checkpoint_v2(raw, nullptr, SQLITE_CHECKPOINT_PASSIVE, &frames,
                                              &copied);
        ::sqlite3_close(raw);
        return {frames, copied};
    }

    test::temp_dir tmp_;
    fs::path db_path_ = state_store::database_path(tmp_.path() / "state" / "postfach", "work");
    state_store store_;
};

TEST_F(state_store_test, creates_private_files_in_wal_mode_at_the_latest_version) {
    EXPECT_EQ(mode_of(db_path_.parent_path()), 0700U);
    EXPECT_EQ(mode_of(db_path_.parent_path().parent_path()), 0700U);
    EXPECT_EQ(mode_of(db_path_), 0600U);
    EXPECT_EQ(store_.schema_version(), latest_schema_version);
    add_folder("INBOX");
    const fs::path wal = db_path_.string() + "-wal";
    ASSERT_TRUE(fs::exists(wal)) << "not in WAL mode";
    EXPECT_EQ(mode_of(wal), 0600U);
}

TEST(state_store, database_path_is_beside_the_lock_file) {
    EXPECT_EQ(state_store::database_path("/s", "work"), fs::path("/s/work.sqlite"));
}

TEST_F(state_store_test, folders_crud) {
    auto inbox = add_folder("INBOX");
    auto work = add_folder("Work/Ärger");
    EXPECT_NE(inbox.id, 0);
    EXPECT_NE(inbox.id, work.id);

    work.highestmodseq = 1ULL << 40;
    work.mailbox_id = "F2212ea87-6097-4256-9d51-71338625";
    work.uidnext = 0xffffffffU;
    ASSERT_FALSE(store_.save_folder(work));
    std::optional<folder_record> found;
    ASSERT_FALSE(store_.find_folder("Work/Ärger", found));
    ASSERT_TRUE(found);
    EXPECT_EQ(*found, work);

    ASSERT_FALSE(store_.rename_folder(work.id, "Archive"));
    ASSERT_FALSE(store_.find_folder("Work/Ärger", found));
    EXPECT_FALSE(found);
    std::vector<folder_record> all;
    ASSERT_FALSE(store_.list_folders(all));
    ASSERT_EQ(all.size(), 2U);
    EXPECT_EQ(all[0].name, "Archive");
    EXPECT_EQ(all[1].name, "INBOX");

    EXPECT_EQ(store_.rename_folder(9999, "x"), state_errc::not_found);
    folder_record duplicate;
    duplicate.name = "INBOX";
    EXPECT_EQ(store_.save_folder(duplicate).category(), sqlite_category());
    EXPECT_FALSE(store_.diagnostics().empty());
}

TEST_F(state_store_test, messages_crud_and_lookups) {
    const auto inbox = add_folder("INBOX");
    const auto other = add_folder("Other");
    auto m1 = add_message(inbox.id, 1);
    auto m2 = add_message(inbox.id, 2);

    std::optional<message_record> found;
    ASSERT_FALSE(store_.find_message_by_uid(inbox.id, 2, found));
    ASSERT_TRUE(found);
    EXPECT_EQ(*found, m2);
    ASSERT_FALSE(store_.find_message_by_base_name(inbox.id, *m1.base_name, found));
    ASSERT_TRUE(found);
    EXPECT_EQ(found->uid, 1U);
    ASSERT_FALSE(store_.find_message_by_uid(other.id, 2, found));
    EXPECT_FALSE(found);

    // A flag change and a move to another folder (new UID there).
    m1.flags = "\\Flagged \\Seen";
    m1.folder_id = other.id;
    m1.uid = 77;
    ASSERT_FALSE(store_.save_message(m1));
    std::vector<message_record> same;
    ASSERT_FALSE(store_.find_messages_by_identity(m1.message_id, m1.size, m1.content_hash, same));
    ASSERT_EQ(same.size(), 1U);
    EXPECT_EQ(same[0], m1);

    std::vector<message_record> listed;
    ASSERT_FALSE(store_.list_messages(inbox.id, listed));
    ASSERT_EQ(listed.size(), 1U);
    EXPECT_EQ(listed[0], m2);

    // (folder, uid) is unique.
    message_record clash = m2;
    clash.id = 0;
    EXPECT_TRUE(store_.save_message(clash));

    ASSERT_FALSE(store_.delete_message(m2.id));
    EXPECT_EQ(store_.delete_message(m2.id), state_errc::not_found);
    ASSERT_FALSE(store_.delete_messages_of_folder(other.id));
    ASSERT_FALSE(store_.list_messages(other.id, listed));
    EXPECT_TRUE(listed.empty());
}

TEST_F(state_store_test, a_pair_may_lack_one_side_but_not_both) {
    const auto inbox = add_folder("INBOX");
    auto tombstone = add_message(inbox.id, 5);
    tombstone.base_name.reset(); // the local copy was deleted on purpose; keep the server's
    ASSERT_FALSE(store_.save_message(tombstone));
    message_record local_only;
    local_only.folder_id = inbox.id;
    local_only.base_name = "not-uploaded-yet";
    local_only.size = 10;
    ASSERT_FALSE(store_.save_message(local_only));
    message_record another_local_only = local_only; // NULL UIDs do not clash
    another_local_only.id = 0;
    another_local_only.base_name = "second";
    ASSERT_FALSE(store_.save_message(another_local_only));

    std::vector<message_record> listed;
    ASSERT_FALSE(store_.list_messages(inbox.id, listed));
    ASSERT_EQ(listed.size(), 3U);
    EXPECT_EQ(listed[0], tombstone);
    EXPECT_FALSE(listed[0].base_name);
    EXPECT_EQ(listed[1], local_only);
    EXPECT_FALSE(listed[1].uid);

    message_record neither;
    neither.folder_id = inbox.id;
    EXPECT_EQ(store_.save_message(neither).category(), sqlite_category());
}

TEST_F(state_store_test, deleting_a_folder_deletes_its_pairs) {
    const auto inbox = add_folder("INBOX");
    add_message(inbox.id, 1);
    add_message(inbox.id, 2);
    ASSERT_FALSE(store_.delete_folder(inbox.id));
    std::vector<message_record> listed;
    ASSERT_FALSE(store_.list_messages(inbox.id, listed));
    EXPECT_TRUE(listed.empty());
    EXPECT_EQ(store_.delete_folder(inbox.id), state_errc::not_found);
}

TEST_F(state_store_test, pop3_uidls) {
    ASSERT_FALSE(store_.add_pop3_uidl({"uidl-b", 200, 1700000100}));
    ASSERT_FALSE(store_.add_pop3_uidl({"uidl-a", 100, 1700000000}));
    EXPECT_TRUE(store_.add_pop3_uidl({"uidl-a", 1, 1})); // already known
    std::optional<pop3_uidl_record> found;
    ASSERT_FALSE(store_.find_pop3_uidl("uidl-a", found));
    ASSERT_TRUE(found);
    EXPECT_EQ(*found, (pop3_uidl_record{"uidl-a", 100, 1700000000}));
    std::vector<pop3_uidl_record> all;
    ASSERT_FALSE(store_.list_pop3_uidls(all));
    ASSERT_EQ(all.size(), 2U);
    EXPECT_EQ(all[0].uidl, "uidl-a");
    ASSERT_FALSE(store_.delete_pop3_uidl("uidl-a"));
    ASSERT_FALSE(store_.find_pop3_uidl("uidl-a", found));
    EXPECT_FALSE(found);
    EXPECT_EQ(store_.delete_pop3_uidl("uidl-a"), state_errc::not_found);
}

TEST_F(state_store_test, pop3_intents) {
    ASSERT_FALSE(store_.add_pop3_intent({"base-b", "uidl-b", 200, 1700000100}));
    ASSERT_FALSE(store_.add_pop3_intent({"base-a", "uidl-a", 100, 1700000000}));
    EXPECT_TRUE(store_.add_pop3_intent({"base-a", "other", 1, 1})); // one per delivery
    std::vector<pop3_intent_record> all;
    ASSERT_FALSE(store_.list_pop3_intents(all));
    ASSERT_EQ(all.size(), 2U);
    EXPECT_EQ(all[0], (pop3_intent_record{"base-a", "uidl-a", 100, 1700000000}));
    std::vector<pop3_uidl_record> uidls;
    ASSERT_FALSE(store_.list_pop3_uidls(uidls));
    EXPECT_TRUE(uidls.empty()); // intents are not UIDLs
    ASSERT_FALSE(store_.delete_pop3_intent("base-a"));
    EXPECT_EQ(store_.delete_pop3_intent("base-a"), state_errc::not_found);
    ASSERT_FALSE(store_.list_pop3_intents(all));
    ASSERT_EQ(all.size(), 1U);
    EXPECT_EQ(all[0].base_name, "base-b");
}

TEST_F(state_store_test, transactions_commit_together_or_not_at_all) {
    const auto inbox = add_folder("INBOX");
    {
        transaction tx;
        ASSERT_FALSE(store_.begin(tx));
        add_message(inbox.id, 1);
        add_message(inbox.id, 2);
        // Destroyed without commit: an error path.
    }
    std::vector<message_record> listed;
    ASSERT_FALSE(store_.list_messages(inbox.id, listed));
    EXPECT_TRUE(listed.empty());

    {
        transaction tx;
        ASSERT_FALSE(store_.begin(tx));
        add_message(inbox.id, 1);
        add_message(inbox.id, 2);
        folder_record f = inbox;
        f.uidnext = 3;
        ASSERT_FALSE(store_.save_folder(f));
        ASSERT_FALSE(tx.commit());
        EXPECT_FALSE(tx.active());
    }
    // Committed means on disk: a fresh connection sees it.
    state_store reopened;
    ASSERT_FALSE(state_store::open(db_path_, reopened));
    ASSERT_FALSE(reopened.list_messages(inbox.id, listed));
    EXPECT_EQ(listed.size(), 2U);
    std::optional<folder_record> f;
    ASSERT_FALSE(reopened.find_folder("INBOX", f));
    EXPECT_EQ(f->uidnext, 3U);
}

// A pass that changed nothing must not pay for a checkpoint (three fsyncs) at exit; a long WAL
// is emptied (at close, or in the background) so the next open does not read it all back.
TEST_F(state_store_test, closing_checkpoints_only_a_long_wal) {
    const fs::path wal = db_path_.string() + "-wal";
    const auto inbox = add_folder("INBOX");
    add_message(inbox.id, 1);
    store_ = state_store();
    ASSERT_GT(fs::file_size(wal), 0U) << "a short WAL was checkpointed at close";
    {
        state_store reopened;
        ASSERT_FALSE(state_store::open(db_path_, reopened));
        std::vector<message_record> listed;
        ASSERT_FALSE(reopened.list_messages(inbox.id, listed));
        EXPECT_EQ(listed.size(), 1U) << "a commit left in the WAL was lost";
        for (std::uint32_t uid = 2; uid < 200; ++uid) { // one commit, one frame or more each
            message_record m;
            m.folder_id = inbox.id;
            m.uid = uid;
            m.base_name = "base" + std::to_string(uid);
            ASSERT_FALSE(reopened.save_message(m));
        }
    }
    // The frames the next open reads back (recovery): few, whether the close emptied the WAL
    // or the background checkpoints left it short (a writer starts a copied WAL over).
    const auto [frames, copied] = checkpoint_by_another_connection();
    EXPECT_GE(frames, 0);
    EXPECT_LT(frames, 128) << "a long WAL was left for the next open to read";
    ASSERT_FALSE(state_store::open(db_path_, store_));
    std::vector<message_record> listed;
    ASSERT_FALSE(store_.list_messages(inbox.id, listed));
    EXPECT_EQ(listed.size(), 199U);
}

// The WAL past 128 frames is copied into the database by a second connection in the
// background, while the store goes on committing: neither a commit nor the close waits for
// the whole of it (SQLite's own checkpoint ran on the committing thread at 1,000 frames, and
// the close copied the rest). What was committed stays, checkpointed or not.
TEST_F(state_store_test, a_long_wal_is_checkpointed_in_the_background) {
    const auto before = fs::file_size(db_path_);
    const auto inbox = add_folder("INBOX");
    for (std::uint32_t uid = 1; uid <= 100; ++uid) // a commit each, several frames each
        add_message(inbox.id, uid);
    const fs::path wal = db_path_.string() + "-wal";
    ASSERT_LT(fs::file_size(wal), 32U + 1000U * (24U + 4096U)) << "past SQLite's own threshold";
    // Wait for the event (the pages in the database file), with a deadline.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (fs::file_size(db_path_) <= before && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    EXPECT_GT(fs::file_size(db_path_), before) << "no checkpoint before the close";
    store_ = state_store();
    ASSERT_FALSE(state_store::open(db_path_, store_));
    std::vector<message_record> listed;
    ASSERT_FALSE(store_.list_messages(inbox.id, listed));
    EXPECT_EQ(listed.size(), 100U);
}

// A lookup that found its row leaves no read transaction behind (its cached statement stopped
// at the row kept one open): every frame committed after it can be checkpointed.
TEST_F(state_store_test, a_lookup_leaves_the_wal_free_to_checkpoint) {
    const auto inbox = add_folder("INBOX");
    std::optional<folder_record> found;
    ASSERT_FALSE(store_.find_folder("INBOX", found)); // outside a transaction
    ASSERT_TRUE(found);
    bool with_uid = false;
    bool with_base_name = false;
    ASSERT_FALSE(store_.any_messages(inbox.id, with_uid, with_base_name));
    for (std::uint32_t uid = 1; uid <= 5; ++uid)
        add_message(inbox.id, uid);
    const auto [frames, copied] = checkpoint_by_another_connection();
    EXPECT_GT(frames, 0);
    EXPECT_EQ(copied, frames) << "a reader held the WAL back";
}

// ---- migrations ----------------------------------------------------------------------------

void exec_raw(sqlite3* db, const char* sql) {
    char* error = nullptr;
    ASSERT_EQ(::sqlite3_exec(db, sql, nullptr, nullptr, &error), SQLITE_OK) << error;
}

// Writes a database as postfach schema version 1 wrote it (frozen here on purpose: this is
// what exists on users' disks).
void write_version_1_database(const fs::path& path) {
    sqlite3* db = nullptr;
    ASSERT_EQ(::sqlite3_open(path.c_str(), &db), SQLITE_OK);
    exec_raw(db, R"sql(
        CREATE TABLE folders (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
            uidvalidity INTEGER NOT NULL DEFAULT 0, uidnext INTEGER NOT NULL DEFAULT 0,
            highestmodseq INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE messages (id INTEGER PRIMARY KEY,
            folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
            uid INTEGER NOT NULL, base_name TEXT NOT NULL, flags TEXT NOT NULL DEFAULT '',
            size INTEGER NOT NULL, message_id TEXT NOT NULL DEFAULT '',
            content_hash TEXT NOT NULL DEFAULT '', UNIQUE (folder_id, uid));
        CREATE INDEX messages_by_base_name ON messages (folder_id, base_name);
        CREATE TABLE pop3_uidls (uidl TEXT PRIMARY KEY, size INTEGER NOT NULL,
            first_fetched INTEGER NOT NULL);
        INSERT INTO folders (id, name, uidvalidity, uidnext, highestmodseq)
            VALUES (1, 'INBOX', 42, 3, 7);
        INSERT INTO messages (folder_id, uid, base_name, flags, size, message_id, content_hash)
            VALUES (1, 2, 'base-2', '\Seen', 123, '<m@x>', 'abc');
        INSERT INTO pop3_uidls VALUES ('u1', 10, 1600000000);
        PRAGMA user_version = 1;
    )sql");
    ::sqlite3_close(db);
}

TEST(state_schema, migrates_a_version_1_database_keeping_its_data) {
    test::temp_dir tmp;
    const auto path = tmp.path() / "old.sqlite";
    write_version_1_database(path);

    state_store store;
    ASSERT_FALSE(state_store::open(path, store)) << store.diagnostics();
    EXPECT_EQ(store.schema_version(), latest_schema_version);
    std::optional<folder_record> inbox;
    ASSERT_FALSE(store.find_folder("INBOX", inbox));
    ASSERT_TRUE(inbox);
    EXPECT_EQ(inbox->uidvalidity, 42U);
    EXPECT_EQ(inbox->highestmodseq, 7U);
    EXPECT_EQ(inbox->mailbox_id, ""); // the column version 2 added
    inbox->mailbox_id = "M123";
    ASSERT_FALSE(store.save_folder(*inbox));
    std::vector<message_record> same;
    ASSERT_FALSE(store.find_messages_by_identity("<m@x>", 123, "abc", same));
    ASSERT_EQ(same.size(), 1U);
    EXPECT_EQ(same[0].base_name, "base-2");
    std::optional<pop3_uidl_record> uidl;
    ASSERT_FALSE(store.find_pop3_uidl("u1", uidl));
    EXPECT_TRUE(uidl);
}

TEST(state_schema, migrates_step_by_step) {
    test::temp_dir tmp;
    sqlite3* db = nullptr;
    ASSERT_EQ(::sqlite3_open((tmp.path() / "s.sqlite").c_str(), &db), SQLITE_OK);
    int version = -1;
    ASSERT_FALSE(read_schema_version(db, version));
    EXPECT_EQ(version, 0);
    ASSERT_FALSE(migrate_schema(db, 1));
    ASSERT_FALSE(read_schema_version(db, version));
    EXPECT_EQ(version, 1);
    ASSERT_FALSE(migrate_schema(db));
    ASSERT_FALSE(read_schema_version(db, version));
    EXPECT_EQ(version, latest_schema_version);
    ASSERT_FALSE(migrate_schema(db)); // idempotent
    ::sqlite3_close(db);
}

// Version 4 kept POP3 intents as pop3_uidls rows " pending <base> <key>"; version 5 moves them
// into pop3_intents and leaves the real UIDLs alone.
TEST(state_schema, version_5_moves_pending_uidl_rows_into_pop3_intents) {
    test::temp_dir tmp;
    const auto path = tmp.path() / "v4.sqlite";
    sqlite3* db = nullptr;
    ASSERT_EQ(::sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_FALSE(migrate_schema(db, 4));
    exec_raw(db, R"sql(
        INSERT INTO pop3_uidls VALUES (' pending 1700.M1.host uidl-1', 10, 1600000000);
        INSERT INTO pop3_uidls VALUES (' pending 1700.M2.host mid:<a b@x>', 20, 1600000001);
        INSERT INTO pop3_uidls VALUES ('uidl-0', 5, 1500000000);
    )sql");
    ::sqlite3_close(db);

    state_store store;
    ASSERT_FALSE(state_store::open(path, store)) << store.diagnostics();
    EXPECT_EQ(store.schema_version(), latest_schema_version);
    std::vector<pop3_intent_record> intents;
    ASSERT_FALSE(store.list_pop3_intents(intents));
    EXPECT_EQ(intents,
              (std::vector<pop3_intent_record>{{"1700.M1.host", "uidl-1", 10, 1600000000},
                                               {"1700.M2.host", "mid:<a b@x>", 20, 1600000001}}));
    std::vector<pop3_uidl_record> uidls;
    ASSERT_FALSE(store.list_pop3_uidls(uidls));
    EXPECT_EQ(uidls, (std::vector<pop3_uidl_record>{{"uidl-0", 5, 1500000000}}));
}

TEST(state_schema, refuses_a_database_from_a_newer_postfach) {
    test::temp_dir tmp;
    const auto path = tmp.path() / "future.sqlite";
    sqlite3* db = nullptr;
    ASSERT_EQ(::sqlite3_open(path.c_str(), &db), SQLITE_OK);
    exec_raw(db, "CREATE TABLE future (x); PRAGMA user_version = 99;");
    ::sqlite3_close(db);
    state_store store;
    EXPECT_EQ(state_store::open(path, store), state_errc::schema_too_new);
}

} // namespace
} // namespace postfach::state
