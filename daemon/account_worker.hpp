#pragma once
// One account in the daemon, the part every protocol's worker shares (imap_worker.hpp,
// pop3_worker.hpp): run() takes the account's lock and opens its state database, records the
// worker's state for STATUS= and `postfach status` (worker_state), runs the protocol's work()
// and releases the lock when it ends. account_runner.hpp picks the worker by protocol.
//
// Ending: stop() is graceful (the worker lets a running pass end; see the derived classes);
// cancelling run() aborts at once, which is as safe as a kill (state is committed as a pass goes,
// design.md §4.7).
//
// Contract: everything runs on one single-threaded executor; the worker outlives run().

#include "config/config.hpp"
#include "daemon/account_setup.hpp"
#include "daemon/account_state.hpp"
#include "daemon/worker_state.hpp"
#include "state/account_lock.hpp"
#include "state/state_store.hpp"
#include "sync/account_pass.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <filesystem>
#include <functional>
#include <string>

namespace postfach {

struct account_worker_hooks {
    // After every pass (also failed ones), with what it did (the status record of `postfach
    // status` is the worker's own): the place for on_new_mail hooks and mailboxes_file.
    std::function<void(const config::account_config&, const sync::pass_result&)> after_pass;
    // Whenever state() or the worker's mode (status()) changed (the daemon sends STATUS=).
    std::function<void()> on_state_change;
};

class account_worker {
public:
    virtual ~account_worker();
    account_worker(const account_worker&) = delete;
    account_worker& operator=(const account_worker&) = delete;

    // Until stop() was handled or the account cannot be worked on (see state()).
    boost::asio::awaitable<void> run();
    // A pass now (SIGUSR1), or as soon as the protocol allows.
    virtual void request_pass() = 0;
    // Graceful: see the derived class.
    void stop();

    [[nodiscard]] const config::account_config& account() const noexcept { return account_; }
    [[nodiscard]] account_state state() const noexcept { return state_.get(); }
    [[nodiscard]] account_setup_status setup_status() const noexcept { return setup_status_; }
    // For STATUS=: "work: idle, IDLE on INBOX, 3 passes" (no secrets, no server text).
    [[nodiscard]] std::string status() const { return state_.line(account_.name, mode()); }

protected:
    account_worker(const boost::asio::any_io_executor& executor, std::filesystem::path state_dir,
                   config::account_config account, account_worker_hooks hooks);

    // The protocol's loop, with the lock held and db_ open; ends once stopping_ is set.
    virtual boost::asio::awaitable<void> work() = 0;
    // Wakes work() so that it sees stopping_ (called by stop()).
    virtual void on_stop() = 0;
    // How the account is followed, for status(): "IDLE on INBOX", "POP3 every 300 s".
    [[nodiscard]] virtual std::string mode() const = 0;
    void notify_state_change() const {
        if (hooks_.on_state_change)
            hooks_.on_state_change();
    }

private:
    // Declared first: the lock outlives the database it guards.
    std::filesystem::path state_dir_;
    state::account_lock lock_;
    account_setup_status setup_status_ = account_setup_status::ok;

protected:
    boost::asio::any_io_executor executor_;
    config::account_config account_;
    account_worker_hooks hooks_;
    state::state_store db_;
    bool stopping_ = false;
    worker_state state_; // STATUS= and `postfach status`
};

} // namespace postfach
