#include "state/schema.hpp"

#include "state/sqlite_statement.hpp"
#include "state/state_errc.hpp"

#include <array>
#include <fmt/format.h>
#include <sqlite3.h>
#include <string>

namespace postfach::state {
namespace {

// migrations[i] takes version i to version i + 1.
constexpr std::array<const char*, latest_schema_version> migrations{
    // 1: folders, message pairs, POP3 UIDLs.
    R"sql(
    CREATE TABLE folders (
        id            INTEGER PRIMARY KEY,
        name          TEXT    NOT NULL UNIQUE,   -- UTF-8, '/' separated
        uidvalidity   INTEGER NOT NULL DEFAULT 0,
        uidnext       INTEGER NOT NULL DEFAULT 0,
        highestmodseq INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE messages (
        id           INTEGER PRIMARY KEY,
        folder_id    INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        uid          INTEGER NOT NULL,           -- server UID
        base_name    TEXT    NOT NULL,           -- local Maildir base name
        flags        TEXT    NOT NULL DEFAULT '',-- last synced flags
        size         INTEGER NOT NULL,
        message_id   TEXT    NOT NULL DEFAULT '',
        content_hash TEXT    NOT NULL DEFAULT '',
        UNIQUE (folder_id, uid)
    );
    CREATE INDEX messages_by_base_name ON messages (folder_id, base_name);
    CREATE TABLE pop3_uidls (
        uidl          TEXT    PRIMARY KEY,
        size          INTEGER NOT NULL,
        first_fetched INTEGER NOT NULL           -- Unix seconds
    );
    )sql",
    // 2: RFC 8474 MAILBOXID per folder; index to pair messages by identity (moves,
    //    UIDVALIDITY changes, POP3 -> IMAP).
    R"sql(
    ALTER TABLE folders ADD COLUMN mailbox_id TEXT NOT NULL DEFAULT '';
    CREATE INDEX messages_by_identity ON messages (message_id, size);
    )sql",
    // 3: a pair may lack one side: a tombstone (that side's copy was deleted on purpose and
    //    must not come back, sync/plan.hpp) or a side not yet written. SQLite cannot drop NOT
    //    NULL in place, so the table is rebuilt (nothing references it).
    R"sql(
    CREATE TABLE messages_v3 (
        id           INTEGER PRIMARY KEY,
        folder_id    INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        uid          INTEGER,                    -- server UID; NULL: no server copy
        base_name    TEXT,                       -- local base name; NULL: no local copy
        flags        TEXT    NOT NULL DEFAULT '',
        size         INTEGER NOT NULL,
        message_id   TEXT    NOT NULL DEFAULT '',
        content_hash TEXT    NOT NULL DEFAULT '',
        UNIQUE (folder_id, uid),
        CHECK (uid IS NOT NULL OR base_name IS NOT NULL)
    );
    INSERT INTO messages_v3 (id, folder_id, uid, base_name, flags, size, message_id,
                             content_hash)
        SELECT id, folder_id, uid, base_name, flags, size, message_id, content_hash
        FROM messages;
    DROP TABLE messages;
    ALTER TABLE messages_v3 RENAME TO messages;
    CREATE INDEX messages_by_base_name ON messages (folder_id, base_name);
    CREATE INDEX messages_by_identity ON messages (message_id, size);
    )sql",
    // 4: the sync engine's identity of a pair (sync/message_identity.hpp: wire size + SHA-256
    //    of the header block), by which a record lost in a crash is re-paired. message_id,
    //    size and content_hash stay for POP3 and migrations.
    R"sql(
    ALTER TABLE messages ADD COLUMN identity TEXT NOT NULL DEFAULT '';
    )sql",
    // 5: POP3 intents get their own table (pop3/pop3_fetcher.cpp: a delivery made durable
    //    before its UIDL was recorded). Version 4 kept them as pop3_uidls rows
    //    " pending <base name> <key>"; they move over.
    R"sql(
    CREATE TABLE pop3_intents (
        base_name     TEXT    PRIMARY KEY,       -- Maildir base name of the delivery
        uidl          TEXT    NOT NULL,          -- the key it is recorded under once durable
        size          INTEGER NOT NULL,
        first_fetched INTEGER NOT NULL           -- Unix seconds
    );
    INSERT OR IGNORE INTO pop3_intents (base_name, uidl, size, first_fetched)
        SELECT substr(rest, 1, instr(rest, ' ') - 1), substr(rest, instr(rest, ' ') + 1),
               size, first_fetched
        FROM (SELECT substr(uidl, 10) AS rest, size, first_fetched FROM pop3_uidls
              WHERE substr(uidl, 1, 9) = ' pending ')
        WHERE instr(rest, ' ') > 1;
    DELETE FROM pop3_uidls WHERE substr(uidl, 1, 9) = ' pending ';
    )sql",
    // 6: pass and connection status for `postfach status` (status_recorder.hpp): one row for
    //    the account, one per folder of the last pass. Folder rows are keyed by name, not by
    //    folders.id: a folder that failed before the state knew it still has a row. Times are
    //    Unix seconds, 0 = never.
    R"sql(
    CREATE TABLE account_status (
        id               INTEGER PRIMARY KEY CHECK (id = 1),
        connection       TEXT    NOT NULL DEFAULT 'offline',
        connection_since INTEGER NOT NULL DEFAULT 0,
        pid              INTEGER NOT NULL DEFAULT 0,  -- the process that set `connection`
        last_success     INTEGER NOT NULL DEFAULT 0,
        last_error       TEXT    NOT NULL DEFAULT '',
        last_error_at    INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE folder_status (
        name          TEXT    PRIMARY KEY,
        last_success  INTEGER NOT NULL DEFAULT 0,
        last_error    TEXT    NOT NULL DEFAULT '',
        last_error_at INTEGER NOT NULL DEFAULT 0
    );
    )sql",
    // 7: the local side's scan token per folder (maildir_store: the mtimes of new/ and cur/ when
    //    the records last matched the Maildir), so a pass can skip an unchanged folder.
    R"sql(
    ALTER TABLE folders ADD COLUMN local_token TEXT NOT NULL DEFAULT '';
    )sql",
    // 8: a folder's records in the order they were made (state_store::list_messages: WHERE
    //    folder_id ORDER BY id) straight from an index, whose entries are sorted by rowid within
    //    a folder. The (folder_id, uid) index needed a sort that spilled a big folder's records
    //    to a temporary file (20,000 small: 220 pages written and read back per load of INBOX).
    R"sql(
    CREATE INDEX messages_by_folder ON messages (folder_id);
    )sql",
};

} // namespace

std::error_code read_schema_version(sqlite3* db, int& version) {
    std::error_code ec;
    sqlite_statement stmt(db, "PRAGMA user_version", ec);
    if (ec)
        return ec;
    if (!stmt.step(ec))
        return ec ? ec : make_sqlite_error(SQLITE_CORRUPT);
    version = static_cast<int>(stmt.column_int(0));
    return {};
}

std::error_code migrate_schema(sqlite3* db, int target) {
    int version = 0;
    if (auto ec = read_schema_version(db, version))
        return ec;
    if (version > latest_schema_version)
        return state_errc::schema_too_new;
    for (; version < target; ++version) {
        if (auto ec = sqlite_exec(db, "BEGIN IMMEDIATE"))
            return ec;
        const std::string bump = fmt::format("PRAGMA user_version = {}", version + 1);
        std::error_code ec = sqlite_exec(db, migrations[static_cast<std::size_t>(version)]);
        if (!ec)
            ec = sqlite_exec(db, bump.c_str());
        if (!ec)
            ec = sqlite_exec(db, "COMMIT");
        if (ec) {
            sqlite_exec(db, "ROLLBACK");
            return ec;
        }
    }
    return {};
}

} // namespace postfach::state
