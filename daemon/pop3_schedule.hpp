#pragma once
// When the daemon logs in to a POP3 account next (design.md §4.8, RFC 2449 §6.5). Pure
// bookkeeping: the caller passes `now` and sleeps until next_pass().
//
//   - one pass at start, then one every poll_interval after the end of the last one;
//   - a failed pass is tried again after the caller's backoff delay; one that failed for a
//     reason the user must fix (credentials, configuration) waits at least poll_interval, so a
//     wrong password does not hammer the server;
//   - never a login earlier than LOGIN-DELAY seconds (the CAPA value seen after the last login)
//     after the last login: the server may refuse it, or count it against us;
//   - request() (SIGUSR1) moves the next pass to now, or to the earliest login LOGIN-DELAY
//     allows (then it says it was deferred).
//
// The last login is taken as the end of the pass that logged in (the login happened before,
// so the real gap is never shorter than the one computed here).

#include <chrono>
#include <optional>

namespace postfach {

class pop3_schedule {
public:
    using clock = std::chrono::steady_clock;

    // The first pass is due at `start`.
    pop3_schedule(std::chrono::seconds poll_interval, clock::time_point start);

    // A pass ended at `now`. logged_in: the server accepted a login (and counts it);
    // login_delay: the LOGIN-DELAY it announced after that login, if any.
    void pass_succeeded(clock::time_point now, bool logged_in,
                        std::optional<std::chrono::seconds> login_delay);
    // retry_later: [IN-USE], [LOGIN-DELAY], [SYS/TEMP] or network trouble, waits `backoff`;
    // anything else waits max(backoff, poll_interval).
    void pass_failed(clock::time_point now, bool logged_in,
                     std::optional<std::chrono::seconds> login_delay, bool retry_later,
                     std::chrono::milliseconds backoff);

    struct request_answer {
        clock::time_point at;  // when the requested pass runs
        bool deferred = false; // later than now: LOGIN-DELAY
    };
    // A pass is asked for at `now`.
    request_answer request(clock::time_point now);

    // When the next pass may start: the planned time, not before the earliest login.
    [[nodiscard]] clock::time_point next_pass() const;
    // The earliest login LOGIN-DELAY allows; without one, any time.
    [[nodiscard]] std::optional<clock::time_point> earliest_login() const;
    [[nodiscard]] std::optional<std::chrono::seconds> login_delay() const noexcept {
        return login_delay_;
    }

private:
    void note_login(clock::time_point now, bool logged_in,
                    std::optional<std::chrono::seconds> login_delay);

    std::chrono::seconds poll_interval_;
    clock::time_point planned_;
    std::optional<clock::time_point> last_login_;
    std::optional<std::chrono::seconds> login_delay_;
};

} // namespace postfach
