#include "daemon/new_mail_debouncer.hpp"

#include <algorithm>

namespace postfach {

new_mail_debouncer::new_mail_debouncer(std::chrono::milliseconds window,
                                       std::optional<std::chrono::milliseconds> max_delay)
    : window_(window)
    , max_delay_(max_delay.value_or(window * 10)) {}

void new_mail_debouncer::add(std::string_view folder, std::size_t count, clock::time_point now) {
    if (count == 0)
        return;
    auto it = pending_.find(folder);
    if (it == pending_.end())
        it = pending_.emplace(std::string(folder), pending{0, now, now}).first;
    it->second.count += count;
    it->second.last = now;
}

new_mail_debouncer::clock::time_point new_mail_debouncer::due_at(const pending& p) const {
    return std::min(p.last + window_, p.first + max_delay_);
}

std::vector<new_mail_batch> new_mail_debouncer::take_due(clock::time_point now) {
    std::vector<new_mail_batch> due;
    for (auto it = pending_.begin(); it != pending_.end();) {
        if (due_at(it->second) <= now) {
            due.push_back({it->first, it->second.count});
            it = pending_.erase(it);
        } else {
            ++it;
        }
    }
    return due;
}

std::vector<new_mail_batch> new_mail_debouncer::take_all() {
    std::vector<new_mail_batch> all;
    for (const auto& [folder, p] : pending_)
        all.push_back({folder, p.count});
    pending_.clear();
    return all;
}

std::optional<new_mail_debouncer::clock::time_point> new_mail_debouncer::next_due() const {
    std::optional<clock::time_point> next;
    for (const auto& [folder, p] : pending_)
        if (!next || due_at(p) < *next)
            next = due_at(p);
    return next;
}

} // namespace postfach
