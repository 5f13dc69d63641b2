#pragma once
// `postfach daemon`: runs until SIGTERM, keeping the selected accounts in sync as changes
// happen on either side (design.md §1, §4.5). One io_context for the process, one
// account_runner (coroutine tree: IMAP or POP3 worker) per account: one account's trouble never
// stalls another. After each pass a followup_timer runs hooks.on_new_mail (debounced) and
// rewrites mailboxes_file; each worker records its status for `postfach status`.
//
// Signals (asio::signal_set, inside the loop): SIGTERM/SIGINT stop gracefully (passes in flight
// get up to 8 s to finish, then are cancelled; exit 0 within 10 s); SIGHUP re-reads the
// configuration file and restarts the workers with it, or logs every error (file:line:col) and
// keeps the old one; SIGUSR1 runs a full pass of every account now.
//
// systemd (Type=notify): READY=1 once the workers started, STATUS= one line of per-account
// state on every change, RELOADING=1 ... READY=1 around a reload, STOPPING=1, WATCHDOG=1 from
// the event loop at half of WATCHDOG_USEC.
//
// Exit status: 0 after SIGTERM/SIGINT; 2 an --account that the configuration lacks; when every
// account ended on its own: 3 if one was locked by another postfach, else 1.

#include "config/config.hpp"
#include "config/path_expansion.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace postfach {

struct daemon_request {
    std::vector<std::string> accounts; // empty: all
    std::filesystem::path config_file; // read again on SIGHUP
    config::environment_lookup env;
};

int run_daemon(config::configuration cfg, daemon_request request);

} // namespace postfach
