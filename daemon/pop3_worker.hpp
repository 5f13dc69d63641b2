#pragma once
// A POP3 account in the daemon (protocol pop3, or auto that found no IMAP): takes the account's
// lock, runs a POP3 pass (pop3_account_pass.hpp) at start and then whenever pop3_schedule says:
// every poll_interval, never sooner after a login than the server's LOGIN-DELAY, with backoff
// after a failure ([IN-USE], [LOGIN-DELAY], [SYS/TEMP] and network trouble are retried without
// bothering the user). request_pass() (SIGUSR1) runs a pass now, or as soon as LOGIN-DELAY
// allows (logged). POP3 keeps no connection between passes: each pass logs in and out.
//
// The status of `postfach status` is recorded as the IMAP worker does (idle between polls,
// backoff after a failure); after_pass gets each pass's summary (new mail in INBOX).
//
// Stopping: stop() lets a running pass end (its messages are committed as they arrive);
// cancelling run() aborts it, which is as safe as a kill (pop3_fetcher.hpp).
//
// Contract: one single-threaded executor; the worker outlives run().

#include "config/config.hpp"
#include "daemon/account_setup.hpp"
#include "daemon/account_state.hpp"
#include "daemon/account_worker.hpp"
#include "daemon/trigger.hpp"
#include "daemon/worker_state.hpp"
#include "state/account_lock.hpp"
#include "state/state_store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <filesystem>
#include <optional>
#include <string>

namespace postfach {

class pop3_worker {
public:
    // server: the POP3 block to use (pop3_server_of(account)).
    pop3_worker(boost::asio::any_io_executor executor, std::filesystem::path state_dir,
                config::account_config account, config::server_config server,
                account_worker_hooks hooks);

    // Until stop() was handled or the account cannot be worked on (locked, no state).
    boost::asio::awaitable<void> run();
    void request_pass();
    void stop();

    [[nodiscard]] const config::account_config& account() const noexcept { return account_; }
    [[nodiscard]] account_state state() const noexcept { return state_.get(); }
    [[nodiscard]] account_setup_status setup_status() const noexcept { return setup_status_; }
    // For STATUS=: "home: idle, POP3 every 300 s, 3 passes".
    [[nodiscard]] std::string status() const;

private:
    boost::asio::awaitable<void> poll_loop();

    boost::asio::any_io_executor executor_;
    std::filesystem::path state_dir_;
    config::account_config account_;
    config::server_config server_;
    account_worker_hooks hooks_;
    state::account_lock lock_;
    state::state_store db_;
    trigger wake_;
    bool stopping_ = false;
    bool requested_ = false; // request_pass() since the last look
    account_setup_status setup_status_ = account_setup_status::ok;
    worker_state state_; // STATUS= and `postfach status`
};

} // namespace postfach
