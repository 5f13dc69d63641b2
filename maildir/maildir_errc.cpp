#include "maildir/maildir_errc.hpp"

#include <string>

namespace postfach::maildir {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "maildir"; }
    std::string message(int ev) const override {
        switch (static_cast<maildir_errc>(ev)) {
        case maildir_errc::invalid_folder_name:
            return "invalid folder name";
        case maildir_errc::folder_exists:
            return "folder already exists";
        case maildir_errc::folder_not_found:
            return "folder not found";
        case maildir_errc::message_not_found:
            return "message not found (moved or deleted by another program)";
        case maildir_errc::name_collision:
            return "a file with this name already exists";
        case maildir_errc::bad_delivery_state:
            return "delivery used out of order";
        case maildir_errc::commit_interrupted:
            return "commit interrupted (simulated crash)";
        case maildir_errc::inbox_not_allowed:
            return "INBOX cannot be renamed or deleted";
        case maildir_errc::scan_incomplete:
            return "the folder kept changing while it was scanned (another program renaming)";
        case maildir_errc::folder_not_empty:
            return "the folder still holds messages";
        }
        return "unknown maildir error";
    }
};

} // namespace

const std::error_category& maildir_category() noexcept {
    static const category instance;
    return instance;
}

} // namespace postfach::maildir
