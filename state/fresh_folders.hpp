#pragma once
// What sqlite_sync_state::put() may skip: its look-ups of the rows a new record replaces (those
// sharing its UID or base name), in a folder that had no rows when the state first put into it.
// While one state writes the records (one per account, under the account lock, which keeps
// other processes away), every row of such a folder is one the state put there since, so a
// record whose UID and base name were never put there shares no id with any row. An initial
// sync's records are all like that: two of the three statements of each put().
//
// Per folder (row id): whether it was seen without rows. The UIDs and base names put into such
// folders go into one Bloom filter (128 KiB, whatever the number of records; UIDs are not put in
// order, an initial sync commits its messages as they are written). It may say "maybe" for an
// id never put (the look-up then runs, as without this class), never "no" for one that was: a
// duplicate UID or base name always takes the look-up and replaces the row as before. Rows
// deleted since a folder was seen only make these answers more careful; a transaction rolled
// back may bring rows back that were not put by the state, so forget_all() then.

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace postfach::state {

class fresh_folders {
public:
    // Whether note_seen() was told about the folder.
    [[nodiscard]] bool seen(std::int64_t folder_id) const;
    // What the database has: `empty` when the folder has no rows (within the write transaction).
    void note_seen(std::int64_t folder_id, bool empty);
    // Whether a record with these ids may share one with a row of the folder (true for a folder
    // not seen empty).
    [[nodiscard]] bool may_share(std::int64_t folder_id, const std::optional<std::uint32_t>& uid,
                                 const std::optional<std::string>& base_name) const;
    // A row with these ids was inserted into the folder.
    void note_put(std::int64_t folder_id, const std::optional<std::uint32_t>& uid,
                  const std::optional<std::string>& base_name);
    // Every folder unseen again (a rollback).
    void forget_all();

private:
    // The filter's key of a UID, or of a base name, in a folder.
    [[nodiscard]] static std::uint64_t key(std::int64_t folder_id, std::uint32_t uid);
    [[nodiscard]] static std::uint64_t key(std::int64_t folder_id, const std::string& base_name);
    [[nodiscard]] bool maybe_put(std::uint64_t key) const;
    void add(std::uint64_t key);

    std::unordered_map<std::int64_t, bool> seen_empty_; // by folder row id
    std::vector<std::uint64_t> filter_bits_;            // allocated by the first note_put()
};

} // namespace postfach::state
