#pragma once
// The sync plan: what one pass will do, as a list of actions, built before anything changes
// (design.md §4, issue 5). `postfach sync --dry-run` prints it; the applier carries it out and
// records each action in the state only once it is durable on its target side.
//
// The engine is symmetric, as isync's sync.c: every rule is written once and applied to both
// sides, which are indexed by `side`. It knows neither IMAP nor Maildir: a message is an opaque
// id on each side (a UID on IMAP, a base name in a Maildir), a set of flag bits (one bit per
// flag; the engine merges them bit by bit and never needs their names), and an identity string
// used to recognise the same message on both sides without a transfer (Message-ID + size +
// content hash, made by the stores; empty when unknown, and then never matched).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace postfach::sync {

enum class side : std::uint8_t { remote = 0, local = 1 };
constexpr side other(side s) {
    return s == side::remote ? side::local : side::remote;
}
const char* to_string(side s);

// One bit per flag, in Maildir letter order: bit 0 D \Draft, 1 F \Flagged, 2 P $Forwarded,
// 3 R \Answered, 4 S \Seen, 5 T \Deleted (the order of maildir::flag). The planner merges
// bits without knowing their meaning; only reports print them.
using flag_bits = std::uint8_t;

// The bits by name, for stores and tests.
namespace flag_bit {
inline constexpr flag_bits draft = 1 << 0;
inline constexpr flag_bits flagged = 1 << 1;
inline constexpr flag_bits forwarded = 1 << 2;
inline constexpr flag_bits answered = 1 << 3;
inline constexpr flag_bits seen = 1 << 4;
inline constexpr flag_bits deleted = 1 << 5;
} // namespace flag_bit

// "DFS"-style letters of a set of flag bits, for plans and logs.
std::string flag_letters(flag_bits flags);

// A message as a scan of one side reports it.
struct scanned_message {
    std::string id;
    flag_bits flags = 0;
    std::string identity;
};

// One message as the state database remembers it from the last pass: its id on each side and
// the flags both sides had then. An absent id with `gone` set is a tombstone: that side's copy
// was deleted and the deletion was deliberately not propagated (expunge or direction rules), so
// the other side's copy is kept and never copied back.
struct synced_message {
    std::array<std::optional<std::string>, 2> ids;
    flag_bits flags = 0;
    std::string identity;

    [[nodiscard]] const std::optional<std::string>& id(side s) const {
        return ids[static_cast<int>(s)];
    }
};

enum class action_kind {
    copy,        // copy `ids[from]` to the other side; then record the pair with `flags`
    store_flags, // on `target`: add `add`, remove `remove` on ids[target]; then record `flags`
    remove,      // delete ids[target] on `target`; then drop the record (or tombstone)
    link,        // both copies exist but were unpaired: record the pair with `flags`
    forget,      // gone from both sides: drop the record
    record,      // both sides already agree: record `flags` and the ids as given
    move,        // move ids[target] on `target` from `from_folder` into this folder, then add
                 // `add` and remove `remove` on the moved copy (the flags changed on the other
    // side since the last pass); record the pair with the other side's new id and `flags` (a
    // move replayed, no transfer)
};

struct action {
    action_kind kind = action_kind::record;
    side target = side::local;                     // the side changed (copy: the side written to)
    std::array<std::optional<std::string>, 2> ids; // ids of the message on each side, as known
    flag_bits flags = 0;                           // the synced flags to record afterwards
    flag_bits add = 0;                             // store_flags and move only
    flag_bits remove = 0;                          // store_flags and move only
    flag_bits scanned = 0; // store_flags only: the target's flags as scanned
    std::string identity;
    std::optional<std::size_t> record_index; // the synced_message this acts on, if any
    std::string from_folder;                 // move only
    bool keep_tombstone = false;             // remove only: keep a tombstone (other side kept)

    [[nodiscard]] const std::optional<std::string>& id(side s) const {
        return ids[static_cast<int>(s)];
    }
};

// Why the deletion guard held back a side's deletions in a folder (design.md §4.6).
struct guard_trip {
    side target = side::local;
    std::size_t deletions = 0; // how many deletions were held back
    std::size_t messages = 0;  // how many messages that side had in the last synced state
    bool side_looks_empty = false;
};

struct folder_plan {
    std::string folder;
    std::vector<action> actions;
    std::vector<guard_trip> guard_trips;

    [[nodiscard]] std::size_t count(action_kind kind) const;
    [[nodiscard]] std::size_t count(action_kind kind, side target) const;
};

// Which changes a pass may make, from the account's sync settings.
struct plan_options {
    std::array<bool, 2> may_change{true,
                                   true}; // direction: pull = remote false, push = local false
    std::array<bool, 2> may_delete{true, true}; // expunge: which sides postfach deletes on
    double max_delete_fraction = 0.5;
    std::size_t guard_minimum = 10; // the guard ignores this many deletions or fewer
    bool force = false;             // --force: the guard does not hold back
    // Set by the caller when a whole side of the account (every folder) scanned empty while the
    // state says it had mail: a wiped Maildir, a missing mount, an emptied account. Judged per
    // account, not per folder, so moving the last message out of a folder is no alarm.
    std::array<bool, 2> side_looks_empty{false, false};
};

} // namespace postfach::sync
