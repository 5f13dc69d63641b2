#pragma once
// Process exit codes, design.md §1. Scripts and systemd depend on these numbers.

namespace postfach {

enum class exit_code : int {
    ok = 0,                 // all in sync
    partial_failure = 1,    // some folder or account failed, others were synced
    usage_or_config = 2,    // nothing was touched
    locked = 3,             // another instance holds the account lock
    deletion_guard = 4,     // the deletion guard stopped a sync
    temporary_failure = 75, // EX_TEMPFAIL: network or server unavailable, worth retrying
};

constexpr int to_int(exit_code c) {
    return static_cast<int>(c);
}

} // namespace postfach
