#pragma once
// Three-way planning of one folder, and the account-wide step that turns a deletion in one
// folder plus an arrival of the same message in another into a move (design.md §4.1–4.3, 4.6).
//
// Rules, applied to each side alike:
//  - flags: per flag bit, a change on one side since the last pass wins; changed on both sides
//    means both hold the same value; without a last-synced value (re-paired messages) set wins
//    over cleared;
//  - a message gone from one side is deleted on the other, unless its flags changed there since
//    the last pass (the change wins: it is copied back), or the rules forbid deleting on that
//    side (then a tombstone remembers not to copy it back);
//  - a new message on one side is first matched by identity with a new message on the other
//    (linked, no transfer), else copied;
//  - the deletion guard holds back all deletions on a side when they exceed the configured
//    fraction of that side's messages (and the minimum), or when the other side looks empty
//    although the state says it had mail (plan_options::side_looks_empty, judged per account).

#include "sync/plan.hpp"

#include <array>
#include <string>
#include <vector>

namespace postfach::sync {

folder_plan plan_folder(std::string folder, const std::vector<synced_message>& records,
                        const std::array<std::vector<scanned_message>, 2>& scans,
                        const plan_options& options);

// Replaces, across the folders of an account, each pair (remove on side S in folder A, copy to
// side S in folder B) of one identity by a move on side S from A to B.
void detect_moves(std::vector<folder_plan>& plans);

} // namespace postfach::sync
