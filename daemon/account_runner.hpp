#pragma once
// One account in the daemon, whatever its protocol: the supervisor's handle on it.
//   protocol imap: an imap_worker (IDLE, inotify, passes over a kept connection);
//   protocol pop3: a pop3_worker (a POP3 pass every poll_interval, LOGIN-DELAY respected);
//   protocol auto: IMAP is tried at start (open_imap(), as `sync` does per pass); the decision
//     is logged once and kept for the daemon's lifetime (until a SIGHUP reload): IMAP when a
//     server answered as IMAP, or failed for another reason (a wrong password is never a
//     reason to use POP3: the IMAP worker reports it and retries), POP3 when no IMAP service
//     answered but the POP3 port does (reach_pop3). When neither answers (the server is down,
//     no network yet at boot) nothing is decided: both are tried again with backoff.
//
// Contract: one single-threaded executor; the runner outlives run().

#include "config/config.hpp"
#include "daemon/account_setup.hpp"
#include "daemon/account_worker.hpp"
#include "daemon/protocol_fallback.hpp"
#include "daemon/trigger.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <filesystem>
#include <memory>
#include <string>

namespace postfach {

class account_runner {
public:
    account_runner(boost::asio::any_io_executor executor, std::filesystem::path state_dir,
                   config::account_config account, account_worker_hooks hooks);
    ~account_runner();
    account_runner(const account_runner&) = delete;
    account_runner& operator=(const account_runner&) = delete;

    // Decides the protocol (auto), then runs its worker until it ends.
    boost::asio::awaitable<void> run();
    void request_pass();
    void stop();

    [[nodiscard]] const config::account_config& account() const noexcept { return account_; }
    [[nodiscard]] account_setup_status setup_status() const;
    // For STATUS=: the worker's line; "NAME: detecting the protocol" before it exists.
    [[nodiscard]] std::string status() const;

private:
    boost::asio::awaitable<void> choose_protocol();
    // An IMAP worker after open_imap() found IMAP (or an IMAP failure to report).
    void start_imap_from(imap_opening opening);
    void start_imap(config::account_config account,
                    std::unique_ptr<imap::connection> opened = nullptr);
    void start_pop3(config::server_config server);

    boost::asio::any_io_executor executor_;
    std::filesystem::path state_dir_;
    config::account_config account_;
    account_worker_hooks hooks_;
    bool stopping_ = false;
    trigger stop_requested_; // ends choose_protocol()'s wait between probes
    std::unique_ptr<account_worker> worker_;
};

} // namespace postfach
