#pragma once
// `postfach sync`: one two-way pass over every selected account (design.md §1, §4), then exit.
//
// Per account: take the account's lock (exit 3 if another postfach holds it), create its
// Maildir, open its state, and run its pass (account_pass.hpp: IMAP, POP3 or auto), which
// prints the plan (--dry-run) or the summary line. The exit code combines the accounts: 3 if an
// account was locked, else 1 if any folder or account failed in a way a retry will not fix, else 4
// if the deletion guard held back deletions, else 75 if only the network or the server was
// unavailable, else 0.

#include "config/config.hpp"
#include "daemon/account_pass.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace postfach {

int run_sync(const config::configuration& cfg, const sync_request& request, std::ostream& out,
             std::ostream& err);

} // namespace postfach
