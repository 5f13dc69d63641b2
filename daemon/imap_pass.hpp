#pragma once
// One sync pass of an IMAP account over an open connection: the engine between the account's
// IMAP session and its Maildir, with the account's folder selection and sync settings.
// `sync` runs it once per account; `daemon` runs it on every trigger, over a kept connection.

#include "config/config.hpp"
#include "imap/imap_store.hpp"
#include "maildir/folder_layout.hpp"
#include "state/state_store.hpp"
#include "sync/account_pass.hpp"

namespace postfach {

// The account's Maildir: its root in its layout.
maildir::folder_layout maildir_of(const config::account_config& account);

// The engine's options from the account's sync settings (design.md §2, §4.6), with a group
// commit's batch sized to the process's open-file limit (commit_every_for).
sync::pass_options pass_options_for(const config::account_config& account, bool dry_run,
                                    bool force);

// Messages per group commit under a limit of `open_files` descriptors: an account holds up to
// 4 batches' worth of files open (a batch grows to twice its size while the one before, as
// big, commits), and it gets a quarter of the limit (other accounts of a daemon, sockets,
// the state, hooks): `preferred` where that fits, else smaller, never under 8.
std::size_t commit_every_for(std::size_t open_files, std::size_t preferred);

// Contract: remote is over a ready (logged in), otherwise idle session; keep the same store
// for later passes over the same connection (it remembers what makes rescans cheap:
// CONDSTORE). db is the account's open state. The account is taken by value (the coroutine
// outlives the caller's temporaries); remote and db must outlive the pass. Errors are in the
// result; a connection failure leaves the session done.
sync::task<sync::pass_result> run_imap_pass(config::account_config account,
                                            imap::imap_store& remote, state::state_store& db,
                                            sync::pass_options options);

} // namespace postfach
