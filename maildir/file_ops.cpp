#include "maildir/file_ops.hpp"

#include "maildir/maildir_errc.hpp"

#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <stdio.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace postfach::maildir {

std::error_code rename_no_replace(const std::filesystem::path& from,
                                  const std::filesystem::path& to) {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0)
        return {};
    if (errno == EEXIST)
        return maildir_errc::name_collision;
    if (errno != EINVAL && errno != ENOSYS)
        return last_errno();
    // No RENAME_NOREPLACE here: link() refuses an existing target just the same.
    if (::link(from.c_str(), to.c_str()) != 0)
        return errno == EEXIST ? std::error_code(maildir_errc::name_collision) : last_errno();
    if (::unlink(from.c_str()) != 0 && errno != ENOENT)
        return last_errno();
    return {};
}

namespace {

std::atomic<bool> unnamed_files_enabled{true};
// Set once AT_EMPTY_PATH was refused (no CAP_DAC_READ_SEARCH) and /proc/self/fd worked.
std::atomic<bool> link_through_proc{false};

// Whether /proc/self/fd can name our descriptors: without it an unprivileged process could not
// link an unnamed file, so none is made. Checked once per process.
bool proc_fd_available() {
    static const bool available = ::access("/proc/self/fd", X_OK) == 0;
    return available;
}

} // namespace

void set_unnamed_files_for_tests(bool enabled) {
    unnamed_files_enabled = enabled;
}

void set_link_through_proc_for_tests(bool enabled) {
    link_through_proc = enabled;
}

int open_unnamed_file(const std::string& dir, std::error_code& ec) {
    ec.clear();
    if (!unnamed_files_enabled || !proc_fd_available())
        return -1;
    int fd = -1;
    do {
        fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    } while (fd < 0 && errno == EINTR);
    if (fd >= 0)
        return fd;
    // Unsupported by the kernel or the file system (open(2) names these three).
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
        ec = last_errno();
    return -1;
}

std::error_code link_unnamed(int fd, const std::string& to) {
    if (!link_through_proc) {
        if (::linkat(fd, "", AT_FDCWD, to.c_str(), AT_EMPTY_PATH) == 0)
            return {};
        if (errno == EEXIST)
            return maildir_errc::name_collision;
        // ENOENT is also what AT_EMPTY_PATH gives without the capability: /proc tells which.
        if (errno != ENOENT)
            return last_errno();
    }
    const std::string proc = "/proc/self/fd/" + std::to_string(fd);
    if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, to.c_str(), AT_SYMLINK_FOLLOW) == 0) {
        link_through_proc = true;
        return {};
    }
    return errno == EEXIST ? std::error_code(maildir_errc::name_collision) : last_errno();
}

} // namespace postfach::maildir
