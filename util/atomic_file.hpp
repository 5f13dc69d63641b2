#pragma once
// Replaces a small file so that a reader (or a crash) sees either the old or the new content,
// never a mix: write a temporary file beside it, fsync, rename over, fsync the directory.
// The file gets mode 0600 (design.md: files postfach writes are 0600); a missing parent
// directory is created with 0700.

#include <filesystem>
#include <string_view>
#include <system_error>

namespace postfach::util {

std::error_code write_file_atomically(const std::filesystem::path& file, std::string_view content);

} // namespace postfach::util
