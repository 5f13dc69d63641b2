#include "util/open_file_limit.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

namespace {

TEST(open_file_limit, the_soft_limit_is_raised_to_the_hard_one) {
    struct rlimit before {};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &before), 0);
    if (before.rlim_max < 64)
        GTEST_SKIP() << "a hard limit too low to lower the soft one below it";
    struct rlimit lowered = before;
    lowered.rlim_cur = 32;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);

    postfach::util::raise_open_file_limit();
    struct rlimit after {};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &after), 0);
    EXPECT_EQ(after.rlim_cur, before.rlim_max);
    EXPECT_EQ(after.rlim_max, before.rlim_max);
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &before), 0);
}

} // namespace
