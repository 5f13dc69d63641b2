// The trust rule of a Maildir folder token: mtimes count only once a later change is sure to
// get other ones.

#include "maildir/folder_token.hpp"

#include <gtest/gtest.h>

namespace postfach::maildir {
namespace {

folder_times both(struct timespec t) {
    return {t, t};
}

// A clock on a file system not known to keep the kernel's stamp exactly.
token_clock at(struct timespec now) {
    return {now, std::nullopt, {}};
}

// On ext4 and the like: the coarse clock `coarse` with a 4 ms tick (HZ=250), `now` 1 ms later.
token_clock exact_fs_at(struct timespec coarse) {
    struct timespec now = coarse;
    now.tv_nsec += 1'000'000;
    return {now, coarse, std::chrono::milliseconds(4)};
}

TEST(folder_token, sub_second_mtimes_are_trusted_after_50_ms) {
    const struct timespec now { 1000, 500'000'000 };
    EXPECT_EQ(trusted_token(both({1000, 480'000'000}), at(now)), "") << "20 ms: same tick possible";
    EXPECT_EQ(trusted_token(both({1000, 450'000'000}), at(now)), "") << "exactly 50 ms";
    EXPECT_EQ(trusted_token(both({1000, 400'000'000}), at(now)), "1000.400000000/1000.400000000");
}

TEST(folder_token, whole_second_mtimes_are_trusted_after_2_s) {
    // A file system that keeps whole seconds (FAT even steps by 2 s) says nothing finer.
    const struct timespec now { 1000, 900'000'000 };
    EXPECT_EQ(trusted_token(both({1000, 0}), at(now)), "");
    EXPECT_EQ(trusted_token(both({999, 0}), at(now)), "") << "1.9 s: a 2 s step may still hide";
    EXPECT_EQ(trusted_token(both({998, 0}), at(now)), "998.000000000/998.000000000");
}

TEST(folder_token, both_directories_must_have_settled) {
    const struct timespec now { 1000, 0 };
    EXPECT_EQ(trusted_token({{900, 1}, {999, 990'000'000}}, at(now)), "");
    EXPECT_EQ(trusted_token({{999, 990'000'000}, {900, 1}}, at(now)), "");
    EXPECT_EQ(trusted_token({{900, 1}, {900, 2}}, at(now)), "900.000000001/900.000000002");
}

TEST(folder_token, time_to_trust_says_when_the_token_becomes_trusted) {
    using std::chrono::nanoseconds;
    const struct timespec now { 1000, 500'000'000 };
    const auto fine = both({1000, 480'000'000}); // 20 ms old
    const auto wait = time_to_trust(fine, at(now));
    EXPECT_GT(wait, std::chrono::milliseconds(30));
    EXPECT_LE(wait, std::chrono::milliseconds(31));
    const struct timespec then { 1000, 500'000'000 + static_cast<long>(wait.count()) };
    EXPECT_EQ(trusted_token(fine, at(then)), token_text(fine)) << "trusted once the wait is over";
    EXPECT_EQ(time_to_trust(both({1000, 400'000'000}), at(now)), nanoseconds::zero());
    // The later of the two directories counts; whole seconds wait for the 2 s step.
    EXPECT_GT(time_to_trust({{900, 1}, {1000, 0}}, at(now)), std::chrono::seconds(1));
}

TEST(folder_token, where_the_file_system_keeps_the_kernel_stamp_the_coarse_clock_decides) {
    // A change is stamped with the coarse clock (or a later time): once it is past the mtimes,
    // a later change gets other ones, long before 50 ms.
    const auto just_after = exact_fs_at({1000, 500'000'000});
    EXPECT_EQ(trusted_token(both({1000, 499'000'000}), just_after),
              "1000.499000000/1000.499000000");
    EXPECT_EQ(time_to_trust(both({1000, 499'000'000}), just_after),
              std::chrono::nanoseconds::zero());
    // Stamped in this very tick (or finer, later than the coarse clock): one tick more.
    for (const struct timespec mtime : {timespec{1000, 500'000'000}, timespec{1000, 500'300'000}}) {
        EXPECT_EQ(trusted_token(both(mtime), just_after), "");
        const auto wait = time_to_trust(both(mtime), just_after);
        EXPECT_GT(wait, std::chrono::milliseconds(4) - std::chrono::microseconds(1));
        EXPECT_LE(wait, std::chrono::milliseconds(5));
        EXPECT_EQ(trusted_token(both(mtime), exact_fs_at({1000, 504'000'000})),
                  token_text(both(mtime)))
            << "trusted once the coarse clock ticked past it";
    }
    // Whole seconds (ext3's small inodes) still take the 2 s step.
    EXPECT_EQ(trusted_token(both({999, 0}), exact_fs_at({1000, 500'000'000})), "");
}

TEST(folder_token, the_clock_knows_this_file_system) {
    // The tests' temporary directory: on this machine's ext4 or tmpfs, the coarse clock counts.
    const auto clock = read_token_clock(std::filesystem::temp_directory_path());
    EXPECT_NE(clock.now.tv_sec, 0);
    if (clock.coarse) {
        EXPECT_GT(clock.tick, std::chrono::nanoseconds::zero());
        EXPECT_LE(clock.tick, std::chrono::milliseconds(10));
    }
}

TEST(folder_token, the_text_tells_every_nanosecond_apart) {
    EXPECT_NE(token_text(both({5, 1})), token_text(both({5, 2})));
    EXPECT_NE(token_text({{5, 1}, {5, 2}}), token_text({{5, 2}, {5, 1}}));
}

} // namespace
} // namespace postfach::maildir
