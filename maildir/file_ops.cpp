#include "maildir/file_ops.hpp"

#include "maildir/maildir_errc.hpp"

#include <cerrno>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

namespace postfach::maildir {

std::error_code last_errno() noexcept {
    return {errno, std::generic_category()};
}

std::error_code fsync_directory(const std::filesystem::path& dir) {
    int fd = -1;
    do {
        fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return last_errno();
    std::error_code ec;
    if (::fsync(fd) != 0)
        ec = last_errno();
    ::close(fd);
    return ec;
}

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

} // namespace postfach::maildir
