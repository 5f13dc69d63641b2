// The trust rule of a Maildir folder token: mtimes count only once a later change is sure to
// get other ones.

#include "maildir/folder_token.hpp"

#include <gtest/gtest.h>

namespace postfach::maildir {
namespace {

folder_times both(struct timespec t) {
    return {t, t};
}

TEST(folder_token, sub_second_mtimes_are_trusted_after_50_ms) {
    const struct timespec now { 1000, 500'000'000 };
    EXPECT_EQ(trusted_token(both({1000, 480'000'000}), now), "") << "20 ms: same tick possible";
    EXPECT_EQ(trusted_token(both({1000, 450'000'000}), now), "") << "exactly 50 ms";
    EXPECT_EQ(trusted_token(both({1000, 400'000'000}), now), "1000.400000000/1000.400000000");
}

TEST(folder_token, whole_second_mtimes_are_trusted_after_2_s) {
    // A file system that keeps whole seconds (FAT even steps by 2 s) says nothing finer.
    const struct timespec now { 1000, 900'000'000 };
    EXPECT_EQ(trusted_token(both({1000, 0}), now), "");
    EXPECT_EQ(trusted_token(both({999, 0}), now), "") << "1.9 s: a 2 s step may still hide";
    EXPECT_EQ(trusted_token(both({998, 0}), now), "998.000000000/998.000000000");
}

TEST(folder_token, both_directories_must_have_settled) {
    const struct timespec now { 1000, 0 };
    EXPECT_EQ(trusted_token({{900, 1}, {999, 990'000'000}}, now), "");
    EXPECT_EQ(trusted_token({{999, 990'000'000}, {900, 1}}, now), "");
    EXPECT_EQ(trusted_token({{900, 1}, {900, 2}}, now), "900.000000001/900.000000002");
}

TEST(folder_token, time_to_trust_says_when_the_token_becomes_trusted) {
    using std::chrono::nanoseconds;
    const struct timespec now { 1000, 500'000'000 };
    const auto fine = both({1000, 480'000'000}); // 20 ms old
    const auto wait = time_to_trust(fine, now);
    EXPECT_GT(wait, std::chrono::milliseconds(30));
    EXPECT_LE(wait, std::chrono::milliseconds(31));
    const struct timespec then { 1000, 500'000'000 + static_cast<long>(wait.count()) };
    EXPECT_EQ(trusted_token(fine, then), token_text(fine)) << "trusted once the wait is over";
    EXPECT_EQ(time_to_trust(both({1000, 400'000'000}), now), nanoseconds::zero());
    // The later of the two directories counts; whole seconds wait for the 2 s step.
    EXPECT_GT(time_to_trust({{900, 1}, {1000, 0}}, now), std::chrono::seconds(1));
}

TEST(folder_token, the_text_tells_every_nanosecond_apart) {
    EXPECT_NE(token_text(both({5, 1})), token_text(both({5, 2})));
    EXPECT_NE(token_text({{5, 1}, {5, 2}}), token_text({{5, 2}, {5, 1}}));
}

} // namespace
} // namespace postfach::maildir
