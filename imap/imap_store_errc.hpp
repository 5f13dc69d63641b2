#pragma once
// Errors of the IMAP side of a sync (imap_store) that are not protocol errors: what the server
// said is fine, but it does not let the store do what the engine asked safely.

#include <system_error>

namespace postfach::imap {

enum class imap_store_errc {
    no_uidvalidity = 1,  // SELECT gave no UIDVALIDITY: UIDs cannot be kept across sessions
    uidvalidity_changed, // the folder's UIDVALIDITY changed since its scan: the ids are void
    invalid_id,          // a message id that is not a decimal UID
    message_not_found,   // the UID is not (any longer) in the folder
    unsafe_expunge,      // no UIDPLUS, and EXPUNGE would also remove others' \Deleted mail
    no_new_uid,          // the server did not say the new UID (no APPENDUID or COPYUID)
    append_abandoned,    // an APPEND literal was left unfinished: the connection was closed
};

const std::error_category& imap_store_category() noexcept;

inline std::error_code make_error_code(imap_store_errc e) noexcept {
    return {static_cast<int>(e), imap_store_category()};
}

} // namespace postfach::imap

template <>
struct std::is_error_code_enum<postfach::imap::imap_store_errc> : std::true_type {};
