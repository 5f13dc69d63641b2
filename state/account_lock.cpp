#include "state/account_lock.hpp"

#include "state/state_errc.hpp"
#include "util/posix_file.hpp"

#include <cerrno>
#include <charconv>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace postfach::state {
namespace {

std::error_code errno_code() {
    return {errno, std::generic_category()};
}

pid_t read_pid(int fd) {
    char buffer[32] = {};
    const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
    if (n <= 0)
        return 0;
    pid_t pid = 0;
    const auto [end, ec] = std::from_chars(buffer, buffer + n, pid);
    (void)end;
    return ec == std::errc() ? pid : 0;
}

} // namespace

account_lock::account_lock(account_lock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1))
    , path_(std::move(other.path_)) {}

account_lock& account_lock::operator=(account_lock&& other) noexcept {
    if (this != &other) {
        release();
        fd_ = std::exchange(other.fd_, -1);
        path_ = std::move(other.path_);
    }
    return *this;
}

account_lock::~account_lock() {
    release();
}

void account_lock::release() noexcept {
    if (fd_ >= 0)
        ::close(fd_); // drops the flock
    fd_ = -1;
}

std::error_code account_lock::acquire(const std::filesystem::path& state_dir,
                                      std::string_view account, account_lock& out,
                                      pid_t& holder_pid) {
    out.release();
    holder_pid = 0;
    if (auto ec = util::make_private_directories(state_dir))
        return ec;
    ::chmod(state_dir.c_str(), 0700); // an existing state dir is tightened too
    std::error_code ec;
    const auto path = state_dir / (std::string(account) + ".lock");
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno_code();
    int rc = 0;
    do {
        rc = ::flock(fd, LOCK_EX | LOCK_NB);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        const bool contended = errno == EWOULDBLOCK;
        ec = contended ? std::error_code(state_errc::locked) : errno_code();
        if (contended)
            holder_pid = read_pid(fd);
        ::close(fd);
        return ec;
    }
    const std::string pid = fmt::format("{}\n", ::getpid());
    if (::ftruncate(fd, 0) != 0 ||
        ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
        ec = errno_code();
        ::close(fd);
        return ec;
    }
    out.fd_ = fd;
    out.path_ = path;
    return {};
}

std::string account_lock::contention_message(std::string_view account, pid_t holder_pid) {
    if (holder_pid > 0)
        return fmt::format("account {}: another postfach (pid {}) holds the lock", account,
                           holder_pid);
    return fmt::format("account {}: another postfach holds the lock", account);
}

} // namespace postfach::state
