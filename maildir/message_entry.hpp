#pragma once
// One message file found in a folder's new/ or cur/.

#include "maildir/message_flags.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <sys/types.h>

namespace postfach::maildir {

enum class location { new_dir, cur_dir };

// "new" or "cur".
const char* location_dir_name(location where) noexcept;

struct message_entry {
    std::string base;      // identity across renames: the file name before ':'
    std::string file_name; // the current name inside new/ or cur/
    location where = location::new_dir;
    flag_set flags;
    std::uint64_t size = 0;
    std::chrono::system_clock::time_point mtime; // IMAP INTERNALDATE, as Dovecot
    ino_t inode = 0;

    // folder_dir / "new"|"cur" / file_name
    [[nodiscard]] std::filesystem::path path(const std::filesystem::path& folder_dir) const {
        return folder_dir / location_dir_name(where) / file_name;
    }
};

} // namespace postfach::maildir
