#pragma once
// `postfach sync`: one two-way pass over every selected account (design.md §1, §4), then exit.
//
// Per account: take the account's lock (exit 3 if another postfach holds it), open its state,
// its Maildir and its IMAP connection, run the engine's pass, print the plan (--dry-run) or the
// summary line. The exit code combines the accounts: 3 if an account was locked, else 1 if
// any folder or account failed in a way a retry will not fix, else 4 if the deletion guard
// held back deletions, else 75 if only the network or the server was unavailable, else 0.

#include "config/config.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace postfach {

struct sync_request {
    std::vector<std::string> accounts; // empty: all
    bool dry_run = false;
    bool force = false;
};

int run_sync(const config::configuration& cfg, const sync_request& request, std::ostream& out,
             std::ostream& err);

} // namespace postfach
