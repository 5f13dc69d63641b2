#include "imap/status_tracker.hpp"

#include <algorithm>

namespace postfach::imap {

std::vector<std::string> status_tracker::update(const std::vector<response>& untagged,
                                                bool complete) {
    std::map<std::string, std::vector<std::pair<std::string, std::uint64_t>>> seen;
    for (const auto& r : untagged)
        if (const auto* s = std::get_if<status_data>(&r)) {
            auto items = s->items;
            std::sort(items.begin(), items.end());
            seen[s->mailbox] = std::move(items);
        }
    std::vector<std::string> changed;
    for (const auto& [mailbox, items] : seen) {
        const auto it = known_.find(mailbox);
        if (it == known_.end() || it->second != items)
            changed.push_back(mailbox);
    }
    if (complete) {
        for (const auto& [mailbox, items] : known_)
            if (!seen.contains(mailbox))
                changed.push_back(mailbox);
        known_ = std::move(seen);
    } else {
        for (auto& [mailbox, items] : seen)
            known_[mailbox] = std::move(items);
    }
    if (first_) {
        first_ = false;
        return {};
    }
    return changed;
}

} // namespace postfach::imap
