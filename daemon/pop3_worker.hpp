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
// Contract: as account_worker's.

#include "config/config.hpp"
#include "daemon/account_worker.hpp"
#include "daemon/trigger.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <filesystem>
#include <string>

namespace postfach {

class pop3_worker final : public account_worker {
public:
    // server: the POP3 block to use (pop3_server_of(account)).
    pop3_worker(const boost::asio::any_io_executor& executor, std::filesystem::path state_dir,
                config::account_config account, config::server_config server,
                account_worker_hooks hooks);

    void request_pass() override;

private:
    boost::asio::awaitable<void> work() override;
    void on_stop() override;
    // "POP3 every 300 s"
    [[nodiscard]] std::string mode() const override;

    config::server_config server_;
    trigger wake_;
    bool requested_ = false; // request_pass() since the last look
};

} // namespace postfach
