#pragma once
// Human-readable output of the engine: the plan of `postfach sync --dry-run`, one line per
// action, and the one-line summary per account at the end of a pass (issue 5).

#include "sync/account_pass.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace postfach::sync {

// One line per action and per guard trip, e.g. "INBOX: fetch UID 17 (S)".
std::vector<std::string> describe_plan(const folder_plan& plan);

// "work: fetched 120 (4.2 MB), uploaded 3, flags ↑2 ↓5, deleted ↑0 ↓1, moved 2, 6 folders, 1.3 s"
std::string summary_line(const std::string& account, const pass_result& result,
                         std::chrono::milliseconds elapsed);

} // namespace postfach::sync
