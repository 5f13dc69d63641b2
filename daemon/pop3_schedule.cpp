#include "daemon/pop3_schedule.hpp"

#include <algorithm>

namespace postfach {

pop3_schedule::pop3_schedule(std::chrono::seconds poll_interval, clock::time_point start)
    : poll_interval_(poll_interval)
    , planned_(start) {}

void pop3_schedule::note_login(clock::time_point now, bool logged_in,
                               std::optional<std::chrono::seconds> login_delay) {
    if (!logged_in)
        return;
    last_login_ = now;
    // A server that stops announcing LOGIN-DELAY no longer asks for one.
    login_delay_ = login_delay;
}

void pop3_schedule::pass_succeeded(clock::time_point now, bool logged_in,
                                   std::optional<std::chrono::seconds> login_delay) {
    note_login(now, logged_in, login_delay);
    planned_ = now + poll_interval_;
}

void pop3_schedule::pass_failed(clock::time_point now, bool logged_in,
                                std::optional<std::chrono::seconds> login_delay, bool retry_later,
                                std::chrono::milliseconds backoff) {
    note_login(now, logged_in, login_delay);
    planned_ = now + (retry_later ? backoff
                                  : std::max<std::chrono::milliseconds>(backoff, poll_interval_));
}

std::optional<pop3_schedule::clock::time_point> pop3_schedule::earliest_login() const {
    if (!last_login_ || !login_delay_)
        return std::nullopt;
    return *last_login_ + *login_delay_;
}

pop3_schedule::clock::time_point pop3_schedule::next_pass() const {
    const auto earliest = earliest_login();
    return earliest ? std::max(planned_, *earliest) : planned_;
}

pop3_schedule::request_answer pop3_schedule::request(clock::time_point now) {
    planned_ = now;
    const auto at = next_pass();
    return {at, at > now};
}

} // namespace postfach
