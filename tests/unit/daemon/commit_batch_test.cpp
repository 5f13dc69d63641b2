// A group commit's batch fits the open-file limit (daemon/imap_pass.hpp: commit_every_for).

#include "daemon/imap_pass.hpp"
#include "util/open_file_limit.hpp"

#include <cstdint>
#include <gtest/gtest.h>
#include <sys/resource.h>

namespace postfach {
namespace {

TEST(commit_every_for, keeps_the_preferred_batch_where_four_of_them_fit_a_quarter_of_the_limit) {
    EXPECT_EQ(commit_every_for(524288, 256), 256U);
    EXPECT_EQ(commit_every_for(4096, 256), 256U);
    EXPECT_EQ(commit_every_for(SIZE_MAX, 256), 256U);
}

TEST(commit_every_for, shrinks_under_a_low_limit_but_not_below_8) {
    EXPECT_EQ(commit_every_for(1024, 256), 64U);
    EXPECT_EQ(commit_every_for(400, 256), 25U);
    EXPECT_EQ(commit_every_for(64, 256), 8U);
    EXPECT_EQ(commit_every_for(0, 256), 8U);
}

TEST(open_file_limit, is_the_soft_limit_of_the_process) {
    struct rlimit limit {};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
    if (limit.rlim_cur == RLIM_INFINITY)
        EXPECT_EQ(util::open_file_limit(), SIZE_MAX);
    else
        EXPECT_EQ(util::open_file_limit(), static_cast<std::size_t>(limit.rlim_cur));
}

} // namespace
} // namespace postfach
