#pragma once
// Small POSIX file helpers shared by everything that writes files (Maildir delivery, the state
// directory, init's configuration): std::error_code (generic category, from errno) instead of
// exceptions, EINTR retried.

#include <filesystem>
#include <string_view>
#include <system_error>

namespace postfach::util {

std::error_code last_errno() noexcept;

// Writes all of `data` to fd (short writes continued).
std::error_code write_all(int fd, std::string_view data);

// fsync() of a directory, so entries created, renamed or removed in it are durable.
std::error_code fsync_directory(const std::filesystem::path& dir);

// mkdir() with mode 0700; an existing directory is not an error.
std::error_code make_private_directory(const std::filesystem::path& dir);
// The same for the directory and every missing parent.
std::error_code make_private_directories(const std::filesystem::path& dir);
// Creates an empty file with mode 0600 whatever the umask; an existing file is kept as it is.
std::error_code make_private_file(const std::filesystem::path& file);

} // namespace postfach::util
