// pop3_schedule: poll_interval after each pass, backoff after failures, LOGIN-DELAY between
// logins, SIGUSR1 requests deferred by LOGIN-DELAY. Times are offsets from an arbitrary start.

#include "daemon/pop3_schedule.hpp"

#include <gtest/gtest.h>

namespace postfach {
namespace {

using namespace std::chrono_literals;
using clock = pop3_schedule::clock;

const clock::time_point t0{std::chrono::hours(1000)};

TEST(pop3_schedule, the_first_pass_is_at_start_then_every_poll_interval_after_the_last) {
    pop3_schedule s(60s, t0);
    EXPECT_EQ(s.next_pass(), t0);
    s.pass_succeeded(t0 + 3s, true, std::nullopt);
    EXPECT_EQ(s.next_pass(), t0 + 63s);
    EXPECT_FALSE(s.earliest_login());
}

TEST(pop3_schedule, login_delay_longer_than_poll_interval_wins) {
    pop3_schedule s(60s, t0);
    s.pass_succeeded(t0 + 2s, true, 300s);
    EXPECT_EQ(s.earliest_login(), t0 + 302s);
    EXPECT_EQ(s.next_pass(), t0 + 302s);
    // Shorter than poll_interval: the poll decides.
    s.pass_succeeded(t0 + 400s, true, 10s);
    EXPECT_EQ(s.next_pass(), t0 + 460s);
}

TEST(pop3_schedule, a_request_runs_now_when_login_delay_allows) {
    pop3_schedule s(3600s, t0);
    s.pass_succeeded(t0, true, 30s);
    const auto answer = s.request(t0 + 31s);
    EXPECT_FALSE(answer.deferred);
    EXPECT_EQ(answer.at, t0 + 31s);
    EXPECT_EQ(s.next_pass(), t0 + 31s);
}

TEST(pop3_schedule, a_request_too_soon_after_a_login_is_deferred_to_the_earliest_login) {
    pop3_schedule s(3600s, t0);
    s.pass_succeeded(t0, true, 30s);
    const auto answer = s.request(t0 + 5s);
    EXPECT_TRUE(answer.deferred);
    EXPECT_EQ(answer.at, t0 + 30s);
    EXPECT_EQ(s.next_pass(), t0 + 30s);
}

TEST(pop3_schedule, a_transient_failure_waits_the_backoff_not_the_poll_interval) {
    pop3_schedule s(3600s, t0);
    s.pass_failed(t0 + 1s, false, std::nullopt, true, 2s);
    EXPECT_EQ(s.next_pass(), t0 + 3s);
}

TEST(pop3_schedule, a_failure_the_user_must_fix_waits_at_least_the_poll_interval) {
    pop3_schedule s(60s, t0);
    s.pass_failed(t0, false, std::nullopt, false, 2s);
    EXPECT_EQ(s.next_pass(), t0 + 60s);
    s.pass_failed(t0, false, std::nullopt, false, 120s);
    EXPECT_EQ(s.next_pass(), t0 + 120s);
}

TEST(pop3_schedule, a_failure_after_login_still_respects_login_delay) {
    pop3_schedule s(3600s, t0);
    // Logged in, then the connection broke: backoff 1 s, but LOGIN-DELAY 60 s.
    s.pass_failed(t0, true, 60s, true, 1s);
    EXPECT_EQ(s.next_pass(), t0 + 60s);
}

TEST(pop3_schedule, a_refused_login_does_not_move_the_last_login) {
    pop3_schedule s(3600s, t0);
    s.pass_succeeded(t0, true, 100s);
    // [LOGIN-DELAY] refusal at +120 s: no login counted, the earlier delay is kept.
    s.pass_failed(t0 + 120s, false, std::nullopt, true, 1s);
    EXPECT_EQ(s.earliest_login(), t0 + 100s);
    EXPECT_EQ(s.next_pass(), t0 + 121s);
}

TEST(pop3_schedule, a_server_that_stops_announcing_login_delay_no_longer_defers) {
    pop3_schedule s(3600s, t0);
    s.pass_succeeded(t0, true, 100s);
    s.pass_succeeded(t0 + 200s, true, std::nullopt);
    EXPECT_FALSE(s.request(t0 + 201s).deferred);
}

} // namespace
} // namespace postfach
