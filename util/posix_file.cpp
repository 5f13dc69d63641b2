#include "util/posix_file.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace postfach::util {

std::error_code last_errno() noexcept {
    return {errno, std::generic_category()};
}

std::error_code write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return last_errno();
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
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

std::error_code make_private_directory(const std::filesystem::path& dir) {
    if (::mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST)
        return {};
    return last_errno();
}

std::error_code make_private_directories(const std::filesystem::path& dir) {
    std::error_code ec;
    if (dir.empty() || std::filesystem::is_directory(dir, ec))
        return {};
    const auto parent = dir.parent_path();
    if (parent != dir)
        if (auto mk = make_private_directories(parent))
            return mk;
    return make_private_directory(dir);
}

std::error_code make_private_file(const std::filesystem::path& file) {
    int fd = -1;
    do
        fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return last_errno();
    ::close(fd);
    return {};
}

} // namespace postfach::util
