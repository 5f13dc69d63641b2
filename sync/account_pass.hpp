#pragma once
// One sync pass over the folders of an account: scan both sides, plan every folder (moves are
// detected across folders), then apply the plans, recording each change in the state only once
// it is durable on its side (design.md §4.7). An initial sync (the state knows no message of
// these folders: nothing can have moved) plans and applies each folder as soon as it is scanned,
// and commits behind its reads across folders (a folder's last commit and the settling of its
// scan tokens run while the next folder is read).
//
// Order of durability, which makes a kill at any instant safe:
//  1. a change is made on a store (a message written, moved, flagged or removed);
//  2. the store commits (Maildir: file data, renames, directory fsyncs as one group commit;
//     IMAP: already durable when the server acknowledged it);
//  3. only then the state records it, and the state commits.
// A kill between 1 and 3 leaves a change the state does not know: the next pass sees the same
// message unpaired on both sides and links it by identity (no second copy), or sees a flag or
// deletion already done and finds nothing left to do.

#include "sync/folder_planner.hpp"
#include "sync/store.hpp"
#include "sync/sync_state.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <system_error>
#include <vector>

namespace postfach::sync {

// How far the copies of a folder are, for a progress display.
struct pass_progress {
    std::string folder;
    std::size_t done = 0;  // messages copied (both directions)
    std::size_t total = 0; // messages to copy in this folder
    std::uint64_t bytes = 0;
};

struct pass_options {
    plan_options plan;
    // Called after each message copied; empty: no progress reports.
    std::function<void(const pass_progress&)> on_progress;
    bool dry_run = false; // plan only; change nothing
    // Messages written per group commit; up to twice as many when the commit before is
    // still running (the download does not wait for it until then).
    std::size_t commit_every = 256;
};

struct folder_outcome {
    std::string folder;
    folder_plan plan;
    std::error_code error; // the folder stopped here; others went on
    std::string error_detail;
};

struct pass_result {
    std::vector<folder_outcome> folders;
    std::array<std::size_t, 2> copied{};  // messages written to each side
    std::array<std::size_t, 2> flagged{}; // flag changes made on each side
    std::array<std::size_t, 2> removed{}; // deletions made on each side
    std::array<std::size_t, 2> moved{};   // moves replayed on each side
    std::size_t linked = 0;               // messages paired without transfer
    std::size_t bytes_copied = 0;
    std::array<std::size_t, 2> folders_created{};
    std::array<std::size_t, 2> folders_deleted{};
    std::array<std::size_t, 2> folders_renamed{};
    std::error_code error; // the pass could not start (listing folders, reading the state)
    std::string error_detail;

    [[nodiscard]] bool guard_tripped() const;
    [[nodiscard]] bool any_error() const;
};

// Which listed folders take part (include/exclude patterns, virtual \All or \Flagged).
using folder_selector = std::function<bool(const folder_info&)>;

// Runs one pass over the selected folders of both sides: folder changes first (creations,
// renames, deletions, see folder_list_planner.hpp), then the messages of every folder.
// stores[0] is the remote side, stores[1] the local side. Selector and options are taken by
// value: the coroutine outlives the caller's temporaries.
task<pass_result> run_account_pass(std::array<store*, 2> stores, sync_state& state,
                                   folder_selector select, pass_options options);

} // namespace postfach::sync
