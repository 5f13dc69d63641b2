#pragma once
// The two-way IMAP pass of an account over an open connection: its Maildir (in the account's
// layout) against the server, with the engine (sync/account_pass.hpp) and the SQLite state.
// Prints the plan (--dry-run) or the summary line on `out`, folder failures and guard trips on
// `err`. Does not log out: the connection stays the caller's (the daemon keeps it).

#include "config/config.hpp"
#include "daemon/account_pass.hpp"
#include "daemon/imap_pass.hpp"
#include "imap/connection.hpp"
#include "state/state_store.hpp"
#include "sync/account_pass.hpp"

#include <chrono>
#include <ostream>

namespace postfach {

// connection: open (ready). All references must outlive the coroutine.
sync::task<account_status> run_imap_account_pass(const config::account_config& account,
                                                 imap::connection& connection,
                                                 const sync_request& request,
                                                 state::state_store& db, std::ostream& out,
                                                 std::ostream& err);

// Prints a pass result as `postfach sync` does and grades it. server_said: the IMAP store's
// account of its last failure (the server's words), so a refused command says why.
account_status report_pass(const config::account_config& account, const sync::pass_result& r,
                           const sync_request& request, std::chrono::milliseconds elapsed,
                           const std::string& server_said, std::ostream& out, std::ostream& err);

} // namespace postfach
