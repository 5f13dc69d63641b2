#pragma once
// One account in the daemon: its coroutine tree (design.md §5). It takes the account's lock,
// runs one full pass, then runs a pass whenever one is due:
//   - the server changed a watched folder (server_watch);
//   - the local Maildir changed (inotify, debounced: maildir_watcher);
//   - poll_interval passed since the last pass (how servers are followed when nothing watches
//     them: `idle: false`, max_connections 1; a pass with CONDSTORE costs one SELECT per
//     unchanged folder); an hour while server_watch covers every folder (a safety net);
//   - request_pass() (SIGUSR1, a reconnection of the watch connection).
//
// The pass connection runs the engine (its imap_store is kept between passes, so later scans
// use CONDSTORE); the server is watched on connections of their own (server_watch, which says
// how). With `idle: false`, or a server without IDLE, only polling is left.
//
// Health: every read has a deadline (the transport's read timeout; during IDLE the refresh
// period plus a minute, so a half-open IDLE connection is found at the next refresh); the pass
// connection gets a NOOP before a pass when it was unused for a minute. A lost connection is
// opened again with exponential backoff and jitter (1 s → 5 min); every open resolves the
// secret again (an oauth2_token_command runs again, imap::connection::open()). After the watch
// connection comes back a pass catches up with what the outage hid.
//
// Stopping: stop() lets a running pass reach its end (its state is committed per message as it
// goes, design.md §4.7), ends IDLE with DONE, logs out. Cancelling run() (terminal) instead
// aborts at once; that too is safe, as a kill is.
//
// Contract: everything runs on one single-threaded executor. The worker outlives run(). The
// account has an imap block (account_runner.hpp picks the worker by protocol).

#include "config/config.hpp"
#include "daemon/account_setup.hpp"
#include "daemon/account_state.hpp"
#include "daemon/server_watch.hpp"
#include "daemon/trigger.hpp"
#include "daemon/worker_state.hpp"
#include "imap/connection.hpp"
#include "imap/imap_store.hpp"
#include "state/account_lock.hpp"
#include "state/state_store.hpp"
#include "sync/account_pass.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace postfach {

class maildir_watcher;

struct account_worker_hooks {
    // After every pass (also failed ones), with what it did (the status record of `postfach
    // status` is the worker's own): the place for on_new_mail hooks and mailboxes_file.
    std::function<void(const config::account_config&, const sync::pass_result&)> after_pass;
    // Whenever state() or the watch connection's state changed (the daemon sends STATUS=).
    std::function<void()> on_state_change;
};

class account_worker {
public:
    account_worker(boost::asio::any_io_executor executor, std::filesystem::path state_dir,
                   config::account_config account, account_worker_hooks hooks);
    ~account_worker();
    account_worker(const account_worker&) = delete;
    account_worker& operator=(const account_worker&) = delete;

    // Until stop() was handled or the account cannot be worked on (see state()).
    boost::asio::awaitable<void> run();
    void request_pass();
    // Graceful: see the class comment.
    void stop();

    [[nodiscard]] const config::account_config& account() const noexcept { return account_; }
    [[nodiscard]] account_state state() const noexcept { return state_.get(); }
    [[nodiscard]] account_setup_status setup_status() const noexcept { return setup_status_; }
    // For STATUS=: "work: idle, IDLE on INBOX, 3 passes" (no secrets, no server text).
    [[nodiscard]] std::string status() const;

private:
    boost::asio::awaitable<void> pass_loop();
    boost::asio::awaitable<void> watch_loop();
    // Between passes nobody asked for: poll_interval, unless every change is watched.
    [[nodiscard]] std::chrono::seconds full_pass_interval() const;
    boost::asio::awaitable<void> watch_local();
    boost::asio::awaitable<void> run_pass();
    // Waits `delay`, or less if a pass is requested or stop() called.
    boost::asio::awaitable<void> pause(trigger& wake, std::chrono::milliseconds delay);
    std::unique_ptr<imap::connection> make_connection();
    void drop_pass_connection();

    boost::asio::any_io_executor executor_;
    std::filesystem::path state_dir_;
    config::account_config account_;
    account_worker_hooks hooks_;
    state::account_lock lock_;
    state::state_store db_;
    trigger pass_due_;
    trigger never_;
    bool stopping_ = false;
    bool pass_connection_suspect_ = false; // NOOP it before the next pass
    account_setup_status setup_status_ = account_setup_status::ok;
    std::unique_ptr<imap::connection> connection_;
    std::optional<imap::imap_store> remote_;
    std::chrono::steady_clock::time_point last_used_;
    std::unique_ptr<maildir_watcher> watcher_;
    worker_state state_;        // STATUS= and `postfach status`
    server_watch server_watch_; // after everything its hooks use
};

} // namespace postfach
