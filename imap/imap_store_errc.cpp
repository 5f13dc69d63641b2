#include "imap/imap_store_errc.hpp"

#include <string>

namespace postfach::imap {

namespace {

class imap_store_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "imap_store"; }
    std::string message(int value) const override {
        switch (static_cast<imap_store_errc>(value)) {
        case imap_store_errc::no_uidvalidity:
            return "the server gave no UIDVALIDITY for the folder";
        case imap_store_errc::uidvalidity_changed:
            return "the folder's UIDVALIDITY changed since it was scanned";
        case imap_store_errc::invalid_id:
            return "not an IMAP UID";
        case imap_store_errc::message_not_found:
            return "the message is not on the server";
        case imap_store_errc::unsafe_expunge:
            return "cannot expunge one message without UIDPLUS: other messages are \\Deleted";
        case imap_store_errc::no_new_uid:
            return "the server did not report the new UID (no UIDPLUS)";
        case imap_store_errc::append_abandoned:
            return "an APPEND was left unfinished; the connection was closed";
        }
        return "unknown imap_store error";
    }
};

} // namespace

const std::error_category& imap_store_category() noexcept {
    static const imap_store_category_impl category;
    return category;
}

} // namespace postfach::imap
