#pragma once
// Folder-level three-way planning (design.md §4.1): folders created, deleted and renamed on one
// side follow on the other. Compared are the folders each side lists now and the folders the
// state knew after the last pass.
//
//  - on both sides: synced as usual;
//  - on one side only and unknown: new there, created on the other side;
//  - known, gone from one side, and a new folder on that side holds most of its messages (by
//    their ids on that side, which a rename keeps): renamed there, renamed on the other side;
//  - known and gone from one side: deleted there. Its messages are then deleted on the other
//    side by the message rules (so the deletion guard applies to them), and the folder itself
//    is removed there once it is empty;
//  - known and gone from both: forgotten.
// Sides that may not be changed (direction) or not deleted on (expunge) keep their folders;
// such a folder is kept as known and is not re-created on the side that deleted it.

#include "sync/plan.hpp"

#include <array>
#include <functional>
#include <string>
#include <vector>

namespace postfach::sync {

struct folder_action {
    enum class kind {
        create,   // create `name` on `target`
        rename,   // rename `name` to `new_name` on `target` (and in the state)
        remember, // add `name` to the state's known folders
        forget,   // drop `name` and its records from the state
    };
    kind what = kind::remember;
    side target = side::local;
    std::string name;
    std::string new_name;
};

// A folder deleted on `deleted_on`: its messages go on the other side, then the folder.
struct folder_deletion {
    std::string name;
    side deleted_on = side::local;
};

struct folder_list_plan {
    std::vector<folder_action> actions;       // applied before messages are synced
    std::vector<std::string> message_folders; // folders whose messages this pass syncs
    std::vector<folder_deletion> deletions;   // folders deleted on one side
};

// How much of known folder `known`'s messages on side `s` are now in the new folder
// `candidate` on that side: a fraction 0..1, by message ids.
using rename_overlap =
    std::function<double(const std::string& known, const std::string& candidate, side s)>;

folder_list_plan plan_folder_list(const std::vector<std::string>& known,
                                  const std::array<std::vector<std::string>, 2>& listed,
                                  const plan_options& options, const rename_overlap& overlap);

} // namespace postfach::sync
