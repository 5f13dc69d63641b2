#include "state/account_lock.hpp"
#include "state/state_errc.hpp"
#include "tests/unit/support/temp_dir.hpp"

#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace postfach::state {
namespace {

// Forks a child that tries the lock and reports by exit status:
// 0 got it; 3 locked and the holder's pid is `expected_holder`; 4 locked, other pid; 5 error.
int try_lock_in_child(const std::filesystem::path& dir, pid_t expected_holder) {
    const pid_t child = ::fork();
    if (child == 0) {
        account_lock lock;
        pid_t holder = 0;
        const auto ec = account_lock::acquire(dir, "work", lock, holder);
        if (!ec)
            ::_exit(0);
        if (ec == state_errc::locked)
            ::_exit(holder == expected_holder ? 3 : 4);
        ::_exit(5);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(account_lock, second_process_is_refused_and_told_the_holder_pid) {
    test::temp_dir tmp;
    const auto dir = tmp.path() / "state";
    account_lock lock;
    pid_t holder = 0;
    ASSERT_FALSE(account_lock::acquire(dir, "work", lock, holder));
    EXPECT_TRUE(lock.held());
    EXPECT_EQ(try_lock_in_child(dir, ::getpid()), 3);

    std::ifstream pid_file(lock.path());
    pid_t written = 0;
    pid_file >> written;
    EXPECT_EQ(written, ::getpid());

    lock.release();
    EXPECT_EQ(try_lock_in_child(dir, 0), 0) << "released lock must be free";
}

TEST(account_lock, accounts_lock_independently) {
    test::temp_dir tmp;
    account_lock work;
    account_lock home;
    pid_t holder = 0;
    ASSERT_FALSE(account_lock::acquire(tmp.path(), "work", work, holder));
    ASSERT_FALSE(account_lock::acquire(tmp.path(), "home", home, holder));
    account_lock again;
    EXPECT_EQ(account_lock::acquire(tmp.path(), "home", again, holder), state_errc::locked);
    EXPECT_EQ(holder, ::getpid());
    EXPECT_FALSE(again.held());
}

TEST(account_lock, lock_is_not_inherited_by_exec) {
    test::temp_dir tmp;
    account_lock lock;
    pid_t holder = 0;
    ASSERT_FALSE(account_lock::acquire(tmp.path(), "work", lock, holder));
    // Our descriptor is the newest one: find it by its path and check FD_CLOEXEC.
    bool found = false;
    for (int fd = 3; fd < 1024; ++fd) {
        char link[64];
        std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        std::error_code ec;
        if (std::filesystem::read_symlink(link, ec) == lock.path()) {
            found = true;
            EXPECT_NE(::fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
        }
    }
    EXPECT_TRUE(found);
}

TEST(account_lock, contention_message_names_account_and_pid) {
    EXPECT_EQ(account_lock::contention_message("work", 1234),
              "account work: another postfach (pid 1234) holds the lock");
    EXPECT_EQ(account_lock::contention_message("work", 0),
              "account work: another postfach holds the lock");
}

} // namespace
} // namespace postfach::state
