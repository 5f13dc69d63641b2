#pragma once
// Files and directories that only the user may read (mail, the sync state, locks): created with
// mode 0700 (directories) or 0600 (files) whatever the umask, since open() and mkdir() only ever
// remove bits from the mode asked for. Errors are errno in the generic category.

#include <filesystem>
#include <system_error>

namespace postfach::util {

// mkdir() with mode 0700; an existing directory is not an error (and is left as it is).
std::error_code make_private_directory(const std::filesystem::path& dir);
// The same for the directory and every missing parent.
std::error_code make_private_directories(const std::filesystem::path& dir);
// Creates an empty file with mode 0600; an existing file is kept as it is.
std::error_code make_private_file(const std::filesystem::path& file);

} // namespace postfach::util
