#include "util/atomic_file.hpp"

#include "util/posix_file.hpp"

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace postfach::util {

namespace fs = std::filesystem;

std::error_code write_file_atomically(const fs::path& file, std::string_view content) {
    auto dir = file.parent_path();
    if (dir.empty())
        dir = ".";
    std::error_code ec;
    if ((ec = make_private_directories(dir)))
        return ec;
    const auto temporary =
        dir / ("." + file.filename().string() + ".tmp" + std::to_string(::getpid()));
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return last_errno();
    // Mode 0600 regardless of the umask.
    if (::fchmod(fd, 0600) != 0 || (ec = write_all(fd, content)) || ::fsync(fd) != 0) {
        if (!ec)
            ec = last_errno();
        ::close(fd);
        ::unlink(temporary.c_str());
        return ec;
    }
    if (::close(fd) != 0 || ::rename(temporary.c_str(), file.c_str()) != 0) {
        ec = last_errno();
        ::unlink(temporary.c_str());
        return ec;
    }
    return fsync_directory(dir);
}

} // namespace postfach::util
