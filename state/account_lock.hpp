#pragma once
// One postfach per account: an exclusive flock() on "<state_dir>/<account>.lock", held for the
// life of the object (design.md §3). The holder writes its pid into the file so a second
// instance can name it: "another postfach (pid 1234) is syncing account work". The lock goes
// away with the process (the kernel drops flocks on exit, also on kill -9), so a stale lock
// file never blocks anyone; the file itself is never removed (removing it would let two
// processes lock two different files).

#include <filesystem>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <system_error>

namespace postfach::state {

class account_lock {
public:
    account_lock() = default;
    account_lock(account_lock&& other) noexcept;
    account_lock& operator=(account_lock&& other) noexcept;
    account_lock(const account_lock&) = delete;
    account_lock& operator=(const account_lock&) = delete;
    ~account_lock();

    // Takes the lock without waiting (creating state_dir with mode 0700 if needed). If another
    // process holds it: state_errc::locked, and holder_pid is the pid it wrote (0 if unknown).
    // The descriptor is close-on-exec: hooks and credential commands do not inherit the lock.
    static std::error_code acquire(const std::filesystem::path& state_dir, std::string_view account,
                                   account_lock& out, pid_t& holder_pid);

    // The message for the user when acquire() failed with state_errc::locked.
    static std::string contention_message(std::string_view account, pid_t holder_pid);

    [[nodiscard]] bool held() const noexcept { return fd_ >= 0; }
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
    void release() noexcept;

private:
    int fd_ = -1;
    std::filesystem::path path_;
};

} // namespace postfach::state
