#pragma once
// Small POSIX helpers the Maildir code shares: they return std::error_code (generic category,
// from errno) instead of throwing, and retry EINTR. The general ones live in util/.

#include "util/posix_file.hpp"

#include <filesystem>
#include <string>
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

// An unnamed file in `dir` (O_TMPFILE, mode 0600, write-only): it has no directory entry until
// link_unnamed() gives it one, so a crash before that leaves nothing behind, and its delivery
// costs one directory insert instead of the insert, rename and removal of a file in tmp/.
// Returns -1 with `ec` empty where the file system (or the way to link it later) lacks it: the
// caller makes a named file instead. A real failure (no such directory) sets `ec`.
// (Paths as plain strings: these run once per delivered message, and a std::filesystem::path
// built per message costs allocations.)
int open_unnamed_file(const std::string& dir, std::error_code& ec);

// Gives the unnamed file `fd` the name `to`, never replacing an existing one (a taken name gives
// maildir_errc::name_collision). linkat(AT_EMPTY_PATH) where the process may (Linux before 6.10
// wants CAP_DAC_READ_SEARCH for it; 6.18 lets the file's opener), else through /proc/self/fd/N,
// which works unprivileged.
std::error_code link_unnamed(int fd, const std::string& to);

// Test hook: forgo O_TMPFILE (open_unnamed_file() gives -1), as on a file system without it.
void set_unnamed_files_for_tests(bool enabled);
// Test hook: link through /proc/self/fd even where AT_EMPTY_PATH would work (as unprivileged).
void set_link_through_proc_for_tests(bool enabled);

} // namespace postfach::maildir
