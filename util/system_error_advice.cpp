#include "util/system_error_advice.hpp"

#include <cerrno>

namespace postfach::util {

std::string_view advice_for_system_error(const std::error_code& ec) noexcept {
    // Compared as conditions: the Maildir reports errno in the system category, tests and
    // sans-IO code in the generic one.
    const bool errno_value =
        ec.category() == std::system_category() || ec.category() == std::generic_category();
    if (ec == std::errc::too_many_files_open || ec == std::errc::too_many_files_open_in_system)
        return "raise the open-file limit (LimitNOFILE= in the systemd unit, ulimit -n in a "
               "shell) and run again; nothing was lost";
    if (ec == std::errc::no_space_on_device || (errno_value && ec.value() == EDQUOT))
        return "free some space (or raise the quota) on the Maildir's and the state directory's "
               "file systems and run again; nothing was lost";
    if (ec == std::errc::read_only_file_system)
        return "the file system is mounted read-only; remount it read-write and run again";
    if (ec == std::errc::permission_denied || ec == std::errc::operation_not_permitted)
        return "check that the user postfach runs as owns the Maildir and the state directory";
    return {};
}

std::string message_with_advice(const std::error_code& ec) {
    std::string out = ec.message();
    if (const auto advice = advice_for_system_error(ec); !advice.empty())
        out.append("; ").append(advice);
    return out;
}

} // namespace postfach::util
