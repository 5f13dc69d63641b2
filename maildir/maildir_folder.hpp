#pragma once
// One Maildir folder on disk (its directory holds tmp/, new/, cur/): scanning and the per
// message operations. A flag change is a rename, never a rewrite (protocol-notes.md §5).
//
// Other programs (mutt, notmuch --rename, afew) may rename, move or delete files at any time,
// also while we scan. So: a message is identified by its base name only; every operation that
// finds its file gone looks the base name up again in new/ and cur/ and retries; and a scan
// that saw the directories change under it starts over (readdir() can miss a file renamed
// during the listing), up to a bounded number of times.
//
// Thread safety: none needed beyond the file system's; the object only holds the path.

#include "maildir/message_entry.hpp"
#include "maildir/message_reader.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace postfach::maildir {

struct scan_result {
    std::vector<message_entry> messages; // one per base name, sorted by base name
    std::vector<std::string> ignored;    // "new/.x", "cur/somedir": foreign entries skipped
    // False when new/ or cur/ kept changing during every attempt: a message missing from this
    // result may still exist, so the caller must not conclude it was deleted.
    bool complete = true;
};

// How much a scan finds out per message.
//   full:       size, mtime and inode from a stat() of every file (what uploads and
//               pairing by size need);
//   names_only: base name, flags, location and inode from the directory listing alone, no
//               stat() (size and mtime left 0): several times faster on big folders, and
//               enough for a pass that only compares ids and flags with the state.
enum class scan_detail { full, names_only };

// How a scan makes sure of its listing.
//   checked: lists again after reading the entries and starts over when the two listings
//            differ (readdir() can miss a file renamed during the listing): a message missing
//            from the result is gone.
//   once:    one listing, not checked: a file renamed during it may be missing. Half the
//            cost, for callers that do not conclude anything from a missing file: a cache of
//            names whose every use checks the file, a scan whose token was read before the
//            listing (a change during the listing changes the token).
enum class scan_listing { checked, once };

// Test hooks: after each attempt has listed the directories, before it stats the files; and
// after it listed them again for the new names of files renamed meanwhile, before it stats those.
struct scan_hooks {
    std::function<void(int attempt)> after_listing;
    std::function<void(int attempt)> after_relisting;
};

class maildir_folder {
public:
    explicit maildir_folder(std::filesystem::path dir);

    [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }

    // Lists new/ and cur/. Any entry that is a regular file with a message file name is
    // adopted, whoever wrote it; dot-files and other entries are skipped with a warning.
    std::error_code scan(scan_result& out, scan_detail detail = scan_detail::full,
                         const scan_hooks* hooks = nullptr,
                         scan_listing listing = scan_listing::checked) const;

    // The current file of a base name, looked up in cur/ then new/; message_not_found if none.
    std::error_code find(std::string_view base, message_entry& out) const;

    // Renames the file so its info part carries `flags` (other info letters kept). A message
    // in new/ moves to cur/ once it has any flag; one in cur/ stays there. Updates msg.
    std::error_code set_flags(message_entry& msg, flag_set flags) const;

    // Opens the message for reading (uploads), following a reader's rename. Once open, the
    // reader is immune to further renames. Updates msg to the file's current name.
    std::error_code open_message(message_entry& msg, message_reader& out) const;

    // Deletes the message. A message already gone is not an error (someone else deleted it).
    std::error_code remove(message_entry& msg) const;

    // Moves the file into `target` (same new/cur and name) by rename, so the inode stays the
    // same; a different file system gives std::errc::cross_device_link. Updates msg.
    std::error_code move_to(message_entry& msg, const maildir_folder& target) const;

    // Deletes files in tmp/ untouched (atime and mtime) for 36 hours or more before `now`:
    // the leftovers of interrupted deliveries (Maildir spec).
    std::error_code remove_stale_tmp(std::chrono::system_clock::time_point now,
                                     std::size_t& removed) const;

    static constexpr std::chrono::hours stale_tmp_age{36};

private:
    // Retries `op` on the file's current name when a reader renamed it away (ENOENT).
    std::error_code with_current_name(message_entry& msg,
                                      const std::function<std::error_code()>& op) const;

    std::filesystem::path dir_;
};

} // namespace postfach::maildir
