// new_mail_debouncer: bursts per folder become one batch after a quiet window, a steady
// trickle still fires after max_delay, folders are independent.

#include "daemon/new_mail_debouncer.hpp"

#include <gtest/gtest.h>

namespace postfach {
namespace {

using namespace std::chrono_literals;
using batches = std::vector<new_mail_batch>;

const new_mail_debouncer::clock::time_point t0{};

TEST(new_mail_debouncer, a_burst_becomes_one_batch_after_a_quiet_window) {
    new_mail_debouncer d(200ms);
    d.add("INBOX", 1, t0);
    d.add("INBOX", 2, t0 + 100ms);
    d.add("INBOX", 1, t0 + 250ms);
    EXPECT_EQ(d.next_due(), t0 + 450ms);
    EXPECT_EQ(d.take_due(t0 + 449ms), batches{});
    EXPECT_EQ(d.take_due(t0 + 450ms), (batches{{"INBOX", 4}}));
    EXPECT_EQ(d.next_due(), std::nullopt);
    EXPECT_EQ(d.take_due(t0 + 10s), batches{});
}

TEST(new_mail_debouncer, folders_are_debounced_separately) {
    new_mail_debouncer d(200ms);
    d.add("INBOX", 1, t0);
    d.add("Lists/dev", 3, t0 + 150ms);
    EXPECT_EQ(d.take_due(t0 + 200ms), (batches{{"INBOX", 1}}));
    EXPECT_EQ(d.next_due(), t0 + 350ms);
    EXPECT_EQ(d.take_due(t0 + 350ms), (batches{{"Lists/dev", 3}}));
}

TEST(new_mail_debouncer, a_steady_trickle_fires_after_max_delay) {
    new_mail_debouncer d(200ms, 1s);
    for (int i = 0; i < 10; ++i)
        d.add("INBOX", 1, t0 + i * 150ms);
    EXPECT_EQ(d.next_due(), t0 + 1s);
    EXPECT_EQ(d.take_due(t0 + 1s), (batches{{"INBOX", 10}}));
}

TEST(new_mail_debouncer, take_all_empties_and_zero_counts_are_ignored) {
    new_mail_debouncer d(1h);
    d.add("Sent", 0, t0);
    EXPECT_EQ(d.next_due(), std::nullopt);
    d.add("b", 1, t0);
    d.add("a", 2, t0);
    EXPECT_EQ(d.take_all(), (batches{{"a", 2}, {"b", 1}}));
    EXPECT_EQ(d.take_all(), batches{});
}

} // namespace
} // namespace postfach
