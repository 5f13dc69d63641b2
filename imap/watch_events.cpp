#include "imap/watch_events.hpp"

#include <algorithm>
#include <type_traits>

namespace postfach::imap {

watch_events summarize_watch_events(const std::vector<response>& untagged) {
    watch_events out;
    const auto add = [&](const std::string& mailbox) {
        if (std::find(out.mailboxes.begin(), out.mailboxes.end(), mailbox) == out.mailboxes.end())
            out.mailboxes.push_back(mailbox);
    };
    for (const auto& r : untagged) {
        std::visit(
            [&](const auto& data) {
                using T = std::decay_t<decltype(data)>;
                if constexpr (std::is_same_v<T, status_data> || std::is_same_v<T, list_data>)
                    add(data.mailbox);
                else if constexpr (std::is_same_v<T, exists_data> ||
                                   std::is_same_v<T, recent_data> ||
                                   std::is_same_v<T, expunge_data> ||
                                   std::is_same_v<T, vanished_data> ||
                                   std::is_same_v<T, fetch_data>)
                    out.selected_changed = true;
                else if constexpr (std::is_same_v<T, status_response>) {
                    if (data.code && data.code->name == "NOTIFICATIONOVERFLOW")
                        out.overflow = true;
                }
            },
            r);
    }
    return out;
}

} // namespace postfach::imap
