#include "maildir/file_ops.hpp"

#include "maildir/maildir_errc.hpp"

#include <cerrno>
#include <fcntl.h>
#include <stdio.h>
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

} // namespace postfach::maildir
