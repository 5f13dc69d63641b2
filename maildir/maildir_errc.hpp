#pragma once
// Errors of the Maildir store. System call failures are reported as std::errc (generic
// category) with the errno; these codes are the Maildir-level failures.

#include <system_error>

namespace postfach::maildir {

enum class maildir_errc {
    invalid_folder_name = 1, // empty, empty component, or not valid for the layout
    folder_exists,           // create/rename target already on disk
    folder_not_found,        // no such folder on disk
    message_not_found,       // the message vanished (a reader deleted it)
    name_collision,          // the target file name already exists (never overwritten)
    bad_delivery_state,      // delivery used out of order (append after finish, ...)
    commit_interrupted,      // test hook stopped a commit (simulated crash)
    inbox_not_allowed,       // INBOX cannot be renamed or deleted
    scan_incomplete,         // new/ or cur/ kept changing during every scan attempt
    folder_not_empty,        // a folder to delete still holds messages
};

const std::error_category& maildir_category() noexcept;

inline std::error_code make_error_code(maildir_errc e) noexcept {
    return {static_cast<int>(e), maildir_category()};
}

} // namespace postfach::maildir

template <>
struct std::is_error_code_enum<postfach::maildir::maildir_errc> : std::true_type {};
