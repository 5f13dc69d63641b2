#pragma once
// An account's pass_followup in the daemon (pass_followup.hpp): after every pass its new mail is
// queued and an asio timer armed for the debouncer's next_due(); when the timer fires, the due
// batches go to the hook runner (which runs them on its own thread) and the timer is armed
// again for what is left. The mailboxes_file is rewritten by pass_done() itself, at once.
//
// flush() (SIGTERM, SIGHUP reload) runs what is pending now and waits for the hooks, up to the
// deadline it is given.
//
// Contract: one executor (the daemon's thread); the object outlives nothing it is given and may
// be destroyed with a wait pending (the handler then only sees operation_aborted).

#include "config/config.hpp"
#include "daemon/pass_followup.hpp"
#include "sync/account_pass.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace postfach {

class followup_timer {
public:
    followup_timer(boost::asio::any_io_executor executor, config::account_config account,
                   followup_options options = {});
    ~followup_timer();
    followup_timer(const followup_timer&) = delete;
    followup_timer& operator=(const followup_timer&) = delete;

    // After a pass (also a failed one: what it fetched before failing counts).
    void pass_done(const sync::pass_result& result);
    // Runs every pending batch now and waits for the hooks (until `deadline`, see
    // pass_followup::flush); the timer is disarmed.
    void flush(std::optional<pass_followup::clock::time_point> deadline = std::nullopt);

    [[nodiscard]] const pass_followup& followup() const noexcept { return followup_; }

private:
    void arm();
    void fire();

    config::account_config account_; // before followup_: it refers to it
    pass_followup followup_;
    boost::asio::steady_timer timer_;
    std::optional<pass_followup::clock::time_point> armed_for_;
};

} // namespace postfach
