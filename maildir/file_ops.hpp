#pragma once
// Small POSIX helpers the Maildir code shares: they return std::error_code (generic category,
// from errno) instead of throwing, and retry EINTR. The general ones live in util/.

#include "util/posix_file.hpp"

#include <filesystem>
#include <system_error>

namespace postfach::maildir {

using util::fsync_directory;
using util::last_errno;
using util::make_private_directories;
using util::make_private_directory;
using util::write_all;

// rename() that never replaces an existing target: renameat2(RENAME_NOREPLACE), falling back to
// link() + unlink() where the file system lacks it. A taken target gives
// maildir_errc::name_collision; a vanished source gives std::errc::no_such_file_or_directory.
std::error_code rename_no_replace(const std::filesystem::path& from,
                                  const std::filesystem::path& to);

using util::make_private_file;

} // namespace postfach::maildir
