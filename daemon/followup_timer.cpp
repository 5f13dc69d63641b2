#include "daemon/followup_timer.hpp"

#include <boost/asio/error.hpp>

namespace postfach {

followup_timer::followup_timer(boost::asio::any_io_executor executor,
                               config::account_config account, followup_options options)
    : account_(std::move(account))
    , followup_(account_, options)
    , timer_(executor) {}

followup_timer::~followup_timer() {
    timer_.cancel();
}

void followup_timer::pass_done(const sync::pass_result& result) {
    followup_.pass_done(result);
    arm();
}

void followup_timer::flush(std::optional<pass_followup::clock::time_point> deadline) {
    timer_.cancel();
    armed_for_.reset();
    followup_.flush(deadline);
}

void followup_timer::arm() {
    const auto due = followup_.next_due();
    if (!due || due == armed_for_)
        return;
    // Re-arming cancels the wait in flight; its handler sees operation_aborted and returns.
    armed_for_ = due;
    timer_.expires_at(*due);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec == boost::asio::error::operation_aborted)
            return;
        fire();
    });
}

void followup_timer::fire() {
    armed_for_.reset();
    followup_.run_due();
    arm();
}

} // namespace postfach
