// Reconnection delays: doubling from 1 s with jitter in [d/2, d], capped at 5 min, reset after
// a success.

#include "daemon/backoff.hpp"

#include <gtest/gtest.h>

namespace postfach {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(backoff, doubles_with_jitter_up_to_the_cap) {
    backoff b(seconds(1), std::chrono::minutes(5), 42);
    milliseconds ceiling = seconds(1);
    for (int i = 0; i < 20; ++i) {
        const auto d = b.next();
        EXPECT_GE(d, ceiling / 2) << "attempt " << i;
        EXPECT_LE(d, ceiling) << "attempt " << i;
        ceiling = std::min<milliseconds>(ceiling * 2, std::chrono::minutes(5));
    }
    EXPECT_EQ(b.failures(), 20u);
    EXPECT_GE(b.next(), std::chrono::milliseconds(150000)) << "stays at the cap";
}

TEST(backoff, reset_starts_again_at_the_first_delay) {
    backoff b(seconds(1), std::chrono::minutes(5), 7);
    for (int i = 0; i < 6; ++i)
        b.next();
    b.reset();
    EXPECT_LE(b.next(), seconds(1));
}

TEST(backoff, jitter_differs_between_seeds) {
    backoff a(seconds(1), std::chrono::minutes(5), 1);
    backoff b(seconds(1), std::chrono::minutes(5), 2);
    bool differ = false;
    for (int i = 0; i < 8; ++i)
        differ = differ || a.next() != b.next();
    EXPECT_TRUE(differ);
}

} // namespace
} // namespace postfach
