#include "util/atomic_file.hpp"

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace postfach::util {

namespace fs = std::filesystem;

namespace {

std::error_code last_error() {
    return {errno, std::generic_category()};
}

std::error_code write_all(int fd, std::string_view content) {
    while (!content.empty()) {
        const auto n = ::write(fd, content.data(), content.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return last_error();
        }
        content.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

std::error_code fsync_directory(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return last_error();
    std::error_code ec;
    if (::fsync(fd) != 0)
        ec = last_error();
    ::close(fd);
    return ec;
}

} // namespace

std::error_code write_file_atomically(const fs::path& file, std::string_view content) {
    auto dir = file.parent_path();
    if (dir.empty())
        dir = ".";
    std::error_code ec;
    if (!fs::exists(dir, ec)) {
        fs::create_directories(dir, ec);
        if (ec)
            return ec;
        fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    }
    const auto temporary =
        dir / ("." + file.filename().string() + ".tmp" + std::to_string(::getpid()));
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return last_error();
    // Mode 0600 regardless of the umask.
    if (::fchmod(fd, 0600) != 0 || (ec = write_all(fd, content)) || ::fsync(fd) != 0) {
        if (!ec)
            ec = last_error();
        ::close(fd);
        ::unlink(temporary.c_str());
        return ec;
    }
    if (::close(fd) != 0 || ::rename(temporary.c_str(), file.c_str()) != 0) {
        ec = last_error();
        ::unlink(temporary.c_str());
        return ec;
    }
    return fsync_directory(dir);
}

} // namespace postfach::util
