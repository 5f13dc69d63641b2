#pragma once
// An IMAP account in the daemon: its coroutine tree (design.md §5). With the account's lock held
// (account_worker.hpp) it runs one full pass, then runs a pass whenever one is due:
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
// goes, design.md §4.7), ends IDLE with DONE, logs out.
//
// Contract: as account_worker's; the account has an imap block.

#include "config/config.hpp"
#include "daemon/account_worker.hpp"
#include "daemon/server_watch.hpp"
#include "daemon/trigger.hpp"
#include "imap/connection.hpp"
#include "imap/imap_store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace postfach {

class maildir_watcher;

class imap_worker final : public account_worker {
public:
    // opened: a ready connection to the account's server to use for the first pass (protocol
    // auto's probe), or nullptr.
    imap_worker(const boost::asio::any_io_executor& executor, std::filesystem::path state_dir,
                config::account_config account, account_worker_hooks hooks,
                std::unique_ptr<imap::connection> opened = nullptr);
    ~imap_worker() override;

    void request_pass() override;

private:
    boost::asio::awaitable<void> work() override;
    void on_stop() override;
    [[nodiscard]] std::string mode() const override;
    boost::asio::awaitable<void> pass_loop();
    boost::asio::awaitable<void> watch_loop();
    // Between passes nobody asked for: poll_interval, unless every change is watched.
    [[nodiscard]] std::chrono::seconds full_pass_interval() const;
    boost::asio::awaitable<void> watch_local();
    boost::asio::awaitable<void> run_pass();
    std::unique_ptr<imap::connection> make_connection();
    void drop_pass_connection();

    trigger pass_due_;
    trigger never_;
    bool pass_connection_suspect_ = false; // NOOP it before the next pass
    std::unique_ptr<imap::connection> connection_;
    std::optional<imap::imap_store> remote_;
    std::chrono::steady_clock::time_point last_used_;
    std::unique_ptr<maildir_watcher> watcher_;
    server_watch server_watch_; // after everything its hooks use
};

} // namespace postfach
