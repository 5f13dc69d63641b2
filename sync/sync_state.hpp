#pragma once
// What the engine remembers between passes: per folder, the synced_message records. The SQLite
// state store implements this for real; tests use an in-memory one.
//
// Contract: changes are buffered until commit(), which makes them durable together (one
// transaction). A crash before commit() loses exactly the buffered changes, and the engine is
// written so that a lost record is recovered on the next pass (by identity), never duplicated.

#include "sync/plan.hpp"

#include <array>
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace postfach::sync {

// A change of a folder's records: put() when there is a record, else erase() of `previous`.
struct record_change {
    std::string folder;
    std::optional<synced_message> previous; // the record replaced, if any
    std::optional<synced_message> record;   // the new record; none: erase `previous`
};

class sync_state {
public:
    virtual ~sync_state() = default;

    // The folders synced at the end of the last pass (UTF-8 names).
    virtual std::error_code known_folders(std::vector<std::string>& folders) = 0;
    virtual void add_folder(const std::string& folder) = 0;
    // Renames a known folder; its records keep their ids.
    virtual void rename_folder(const std::string& from, const std::string& to) = 0;
    // Drops a folder and all its records.
    virtual void forget_folder(const std::string& folder) = 0;

    // The epoch of a folder's ids on one side at the last pass ("" if none was recorded).
    virtual std::string epoch(const std::string& folder, side s) = 0;
    virtual void set_epoch(const std::string& folder, side s, const std::string& epoch) = 0;
    // A side's scan token of a folder (store::scan_since): the records of the folder hold what
    // that side had at the token, or were changed since by the engine ("" if none).
    virtual std::string scan_token(const std::string& folder, side s) = 0;
    virtual void set_scan_token(const std::string& folder, side s, const std::string& token) = 0;

    virtual std::error_code load(const std::string& folder,
                                 std::vector<synced_message>& records) = 0;
    // Whether any record of the folder has an id on each side (for a folder the pass skipped,
    // unchanged since its tokens, without loading them: all the deletion guard asks). The
    // default loads them.
    virtual std::error_code has_records(const std::string& folder, std::array<bool, 2>& any) {
        std::vector<synced_message> records;
        any = {};
        if (auto ec = load(folder, records))
            return ec;
        for (const auto& r : records)
            for (std::size_t s = 0; s < 2; ++s)
                any[s] = any[s] || r.ids[s].has_value();
        return {};
    }
    // Adds `record` to `folder`, replacing every record there that shares an id on either side
    // with `previous` (the record as loaded, if the change started from one) or with `record`.
    virtual void put(const std::string& folder, const synced_message* previous,
                     const synced_message& record) = 0;
    virtual void erase(const std::string& folder, const synced_message& record) = 0;
    virtual std::error_code commit() = 0;
    // apply() of each change, in order, then commit(), without holding up the event loop where
    // the implementation can: the SQLite state writes the records and runs its COMMIT (and the
    // fsync of it) on a thread of its own (each record is a few statements; the loop thread is
    // the one that decrypts and parses the server's answers meanwhile). An empty `changes`
    // commits what was changed before. Durable when it completes, as commit(). Until then the
    // caller may read the state (a read waits for the record being written, or the COMMIT: the
    // initial sync scans the next folders meanwhile) but must not change it; the records being
    // written may show in a read. On completion `changes` are the caller's again (moved there and
    // back, never copied). The default: apply() and commit() on the caller's thread.
    virtual boost::asio::awaitable<std::error_code>
    async_commit_changes(std::vector<record_change>& changes) {
        for (const auto& c : changes)
            apply(c);
        co_return commit();
    }
    void apply(const record_change& c) {
        if (c.record)
            put(c.folder, c.previous ? &*c.previous : nullptr, *c.record);
        else if (c.previous)
            erase(c.folder, *c.previous);
    }
    // Discards every change since the last commit (a store failed to make them durable).
    virtual void rollback() = 0;
};

} // namespace postfach::sync
