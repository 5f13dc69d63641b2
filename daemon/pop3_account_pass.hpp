#pragma once
// The POP3 pass of an account (design.md §4.8): fetch into the INBOX of its Maildir with
// pop3_fetcher (UIDL + size keys, leave on server, delete_after_days), the UIDLs in the
// account's state. Prints what it would fetch (--dry-run) or the summary line on `out`, in the
// same format as an IMAP pass; a failure as one line on `err`.

#include "config/config.hpp"
#include "daemon/account_pass.hpp"
#include "pop3/pop3_fetcher.hpp"
#include "state/state_store.hpp"
#include "sync/account_pass.hpp"

#include <chrono>
#include <ostream>
#include <string>

namespace postfach {

// The POP3 block of an account: its own, or (protocol auto without one) the one derived from
// the IMAP block (config::derive_pop3_from_imap). Precondition: the account has one of them.
config::server_config pop3_server_of(const config::account_config& account);

// What a POP3 pass did, for whoever runs passes.
struct pop3_pass_outcome {
    account_status status = account_status::ok;
    pop3::fetch_result fetch; // as far as the pass got (also on failure): login, LOGIN-DELAY
    // The pass as an IMAP pass would report it: INBOX, its fetched messages as copies to the
    // local side (what pass_followup reads for on_new_mail). Empty after a dry run.
    sync::pass_result summary;
    std::string failure; // the line printed on `err` when the pass failed
};

// One pass with the given POP3 block; its outcome (not a dry run) is recorded for `postfach
// status`, the connection state is the caller's (POP3 keeps no connection: the daemon shows
// idle between polls, sync offline after the pass); so are on_new_mail and mailboxes_file
// (pass_followup). options.now and the hooks are
// the caller's (tests); leave_on_server and delete_after_days are taken from the block. All
// references must outlive the coroutine.
sync::task<pop3_pass_outcome> run_pop3_pass(const config::account_config& account,
                                            config::server_config server,
                                            const sync_request& request, state::state_store& db,
                                            std::ostream& out, std::ostream& err,
                                            pop3::fetch_options options = {});

// run_pop3_pass as `postfach sync` runs it: connection state syncing, then offline, then
// (not a dry run) its pass_followup: hooks run once.
sync::task<account_status>
run_pop3_account_pass(const config::account_config& account, config::server_config server,
                      const sync_request& request, state::state_store& db, std::ostream& out,
                      std::ostream& err, pop3::fetch_options options = {});

} // namespace postfach
