#pragma once
// sync::sync_state over the account's SQLite state_store (design.md §3, §4.7).
//
//   known folders: the rows of `folders`;
//   epochs:        the remote epoch is the folder's UIDVALIDITY as a decimal string ("" while
//                  it is 0); the local epoch is always "" (Maildir base names are never
//                  renumbered), so setting it is a no-op;
//   scan tokens:   the remote token is the folder's HIGHESTMODSEQ in decimal (the column of
//                  schema 1; "" while 0); the local token is kept as given (schema 7);
//   records:       one `messages` row each: the remote id is the UID in decimal, the local id
//                  the Maildir base name, flags as Maildir letters (records.hpp), the identity
//                  in its own column (schema 4).
//
// Every change is buffered in one transaction, begun by the first change after a commit and
// made durable by commit() (WAL with synchronous=FULL: on disk when commit() returns).
// Reads see the buffered changes, as the engine expects. The change methods cannot report
// errors (the interface's contract); the first failure is kept, the transaction is rolled
// back, further changes are ignored and commit() returns that failure, so nothing half-done
// becomes durable.
//
// A record for a folder without a row creates the row (a record implies a known folder).
// One per account, like the state_store it borrows (which must outlive it); nothing else may
// use that store while the state lives. async_commit_changes() writes the records and runs the
// COMMIT on a thread of its own while the loop may read (sync_state's contract): every method
// holds mutex_, so the two take turns, one record or one read at a time (the statements and
// the transaction are shared; SQLITE_OPEN_FULLMUTEX alone would not keep a read's bind and
// step from interleaving with a write's).

#include "state/fresh_folders.hpp"
#include "state/state_store.hpp"
#include "sync/sync_state.hpp"
#include "util/blocking_worker.hpp"

#include <cstdint>
#include <mutex>
#include <optional>

namespace postfach::state {

class sqlite_sync_state final : public sync::sync_state {
public:
    explicit sqlite_sync_state(state_store& store);
    ~sqlite_sync_state() override; // rolls back what was not committed

    sqlite_sync_state(const sqlite_sync_state&) = delete;
    sqlite_sync_state& operator=(const sqlite_sync_state&) = delete;

    std::error_code known_folders(std::vector<std::string>& folders) override;
    void add_folder(const std::string& folder) override;
    void rename_folder(const std::string& from, const std::string& to) override;
    void forget_folder(const std::string& folder) override;

    std::string epoch(const std::string& folder, sync::side s) override;
    void set_epoch(const std::string& folder, sync::side s, const std::string& epoch) override;
    std::string scan_token(const std::string& folder, sync::side s) override;
    void set_scan_token(const std::string& folder, sync::side s, const std::string& token) override;

    std::error_code load(const std::string& folder,
                         std::vector<sync::synced_message>& records) override;
    std::error_code has_records(const std::string& folder, std::array<bool, 2>& any) override;
    void put(const std::string& folder, const sync::synced_message* previous,
             const sync::synced_message& record) override;
    void erase(const std::string& folder, const sync::synced_message& record) override;
    std::error_code commit() override;
    // The changes and the COMMIT (with the fsync of the WAL) on committer_.
    boost::asio::awaitable<std::error_code>
    async_commit_changes(std::vector<sync::record_change>& changes) override;
    void rollback() override;

private:
    // The error of a failed change (the transaction rolled back), or none; true when there is
    // nothing more to do.
    bool finish_failed_or_empty(std::error_code& ec);
    // The same, under mutex_.
    bool finish_failed_or_empty_under_lock(std::error_code& ec);
    // Begins the transaction if none is open; false once a change failed.
    bool writable();
    // Keeps the first failure and discards the transaction.
    void fail(std::error_code ec);
    // The folder's row, created when `create` and missing; nullopt if absent (or on failure).
    std::optional<folder_record> folder_row(const std::string& folder, bool create);
    // The id of the folder's row (as folder_row), from the last call in this transaction if
    // it was for the same folder: the records of a download are put one folder after the other,
    // and a lookup per record was a quarter of their statements.
    std::optional<std::int64_t> folder_id(const std::string& folder, bool create);
    // Deletes every record of the folder that shares an id on either side with `r`.
    std::error_code erase_sharing(std::int64_t folder_id, const sync::synced_message& r);
    // Whether a new row `m` may share an id with a row of its folder (else put() need not look
    // for them, fresh_folders.hpp); asks the database once per folder.
    bool may_share_ids(const message_record& m, std::error_code& ec);

    // Held by every public method (see the top): the loop's reads and the committer's writes.
    std::mutex mutex_;
    state_store& store_;
    transaction transaction_;
    std::error_code failed_;
    // folder_id()'s last answer; cleared when the transaction ends and when a folder row is
    // renamed or deleted.
    std::optional<std::pair<std::string, std::int64_t>> last_folder_id_;
    // The folders put() found without rows, and what it put there since; forgotten when a
    // transaction is rolled back.
    fresh_folders fresh_folders_;
    // Last: its destructor waits for a commit under way, which uses store_.
    util::blocking_worker committer_;
};

// The conversions, exposed for tests.
std::string flags_to_column(sync::flag_bits flags);
sync::flag_bits flags_from_column(std::string_view letters);

} // namespace postfach::state
