#pragma once
// Small POSIX helpers the Maildir code shares: they return std::error_code (generic category,
// from errno) instead of throwing, and retry EINTR.

#include "util/private_files.hpp"

#include <filesystem>
#include <system_error>

namespace postfach::maildir {

// fsync() of a directory, so entries created, renamed or removed in it are durable.
std::error_code fsync_directory(const std::filesystem::path& dir);

// rename() that never replaces an existing target: renameat2(RENAME_NOREPLACE), falling back to
// link() + unlink() where the file system lacks it. A taken target gives
// maildir_errc::name_collision; a vanished source gives std::errc::no_such_file_or_directory.
std::error_code rename_no_replace(const std::filesystem::path& from,
                                  const std::filesystem::path& to);

// Directories 0700 and files 0600 whatever the umask (util/private_files.hpp).
using util::make_private_directories;
using util::make_private_directory;
using util::make_private_file;

std::error_code last_errno() noexcept;

} // namespace postfach::maildir
