#pragma once
// One pass over one account, whatever its protocol (design.md §1, §4): the unit of work of
// `postfach sync`. The caller holds the account's lock (lock_account(), account_setup.hpp); the
// pass opens the state into `db` (for IMAP on a worker thread while it connects: the SQLite open
// overlaps the handshakes), connects, works and logs out.
//
// protocol imap: a two-way pass (imap_account_pass.hpp). protocol pop3: a fetch into INBOX
// (pop3_account_pass.hpp). protocol auto: IMAP (implicit TLS, then STARTTLS) and, only when
// the server has no IMAP service (protocol_fallback.hpp), POP3, which is said once on `err`.
//
// Output: the plan (--dry-run) or the summary line on `out`; problems, one line each, on `err`.

#include "config/config.hpp"
#include "state/state_store.hpp"
#include "sync/store.hpp"

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace postfach {

struct sync_request {
    std::vector<std::string> accounts; // empty: all
    bool dry_run = false;
    bool force = false;
};

// How an account's pass ended, for the exit code (design.md §1).
enum class account_status {
    ok,
    guard,     // the deletion guard held back deletions (4)
    transient, // the network or server was unavailable (75)
    failed,    // something the user must fix, or a folder failed (1)
    locked,    // another postfach holds the account (3)
};

// Runs the pass by the account's protocol. The account, request, `db` (not open yet) and
// streams must outlive the coroutine.
sync::task<account_status> run_account_pass(const config::account_config& account,
                                            const sync_request& request,
                                            std::filesystem::path state_dir, state::state_store& db,
                                            std::ostream& out, std::ostream& err);

} // namespace postfach
