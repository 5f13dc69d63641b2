#pragma once
// The account's `mailboxes_file` (design.md §2): one mutt/neomutt `mailboxes` line naming
// every local folder of the account, for `source` in a muttrc:
//
//   mailboxes '/home/me/Mail/work' '/home/me/Mail/work/.Sent' '/home/me/Mail/work/.Archive.2025'
//
// Paths are absolute, in the account's layout (maildir++ or verbatim), INBOX first and the
// rest by name, so the line works whatever mutt's $folder is. A path is single-quoted (mutt
// expands nothing there), or double-quoted with \ " ` $ escaped if it holds a single quote.
//
// The file is rewritten only when its content would change (a folder created, deleted or
// renamed), and atomically: a temporary file in the same directory, fsync, rename, fsync of
// the directory. A reader never sees half a line.

#include "maildir/folder_layout.hpp"

#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace postfach {

// The line (with its trailing newline) for these folder names.
std::string mailboxes_line(const maildir::folder_layout& layout,
                           const std::vector<std::string>& folders);

// Writes the line for the folders on disk under `layout` to `file` if it differs from what is
// there; `changed` says whether it wrote. Creates missing parent directories.
std::error_code update_mailboxes_file(const std::filesystem::path& file,
                                      const maildir::folder_layout& layout, bool& changed);

} // namespace postfach
