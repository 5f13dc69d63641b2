#include "imap/uid_set.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace postfach::imap {

namespace {

// Parses one seq-number ("*" or a non-zero 32-bit number) from the front of text.
std::optional<std::uint32_t> parse_seq_number(std::string_view& text) {
    if (!text.empty() && text.front() == '*') {
        text.remove_prefix(1);
        return uid_set::star;
    }
    std::uint32_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || value == 0)
        return std::nullopt;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    return value;
}

void append_number(std::string& out, std::uint32_t value) {
    if (value == uid_set::star)
        out += '*';
    else
        out += std::to_string(value);
}

} // namespace

uid_set uid_set::from_uids(std::vector<std::uint32_t> uids) {
    std::sort(uids.begin(), uids.end());
    uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
    uid_set set;
    for (const auto uid : uids) {
        if (uid == 0)
            continue;
        if (!set.ranges_.empty() && set.ranges_.back().last + 1 == uid)
            set.ranges_.back().last = uid;
        else
            set.ranges_.push_back({uid, uid});
    }
    return set;
}

uid_set uid_set::range(std::uint32_t first, std::uint32_t last) {
    uid_set set;
    set.ranges_.push_back({first, last});
    return set;
}

std::optional<uid_set> uid_set::parse(std::string_view text) {
    uid_set set;
    while (true) {
        const auto first = parse_seq_number(text);
        if (!first)
            return std::nullopt;
        auto last = first;
        if (!text.empty() && text.front() == ':') {
            text.remove_prefix(1);
            last = parse_seq_number(text);
            if (!last)
                return std::nullopt;
        }
        set.ranges_.push_back({*first, *last});
        if (text.empty())
            return set;
        if (text.front() != ',')
            return std::nullopt;
        text.remove_prefix(1);
    }
}

std::optional<std::vector<std::uint32_t>> uid_set::to_uids(std::uint64_t limit) const {
    if (count() > limit)
        return std::nullopt;
    std::vector<std::uint32_t> out;
    for (const auto& r : ranges_) {
        if (r.first == star || r.last == star)
            continue;
        const auto lo = std::min(r.first, r.last);
        const auto hi = std::max(r.first, r.last);
        for (auto v = lo;; ++v) {
            out.push_back(v);
            if (v == hi)
                break;
        }
    }
    return out;
}

std::uint64_t uid_set::count() const noexcept {
    std::uint64_t n = 0;
    for (const auto& r : ranges_)
        if (r.first != star && r.last != star)
            n += std::uint64_t{std::max(r.first, r.last)} - std::min(r.first, r.last) + 1;
    return n;
}

bool uid_set::contains(std::uint32_t uid) const noexcept {
    for (const auto& r : ranges_) {
        // "n:*" holds every UID from n up; a lone "*" (the largest UID) is unknown here.
        if (r.first == star && r.last == star)
            continue;
        const bool open = r.first == star || r.last == star;
        const auto lo = open ? std::max(r.first, r.last) : std::min(r.first, r.last);
        const auto hi = open ? UINT32_MAX : std::max(r.first, r.last);
        if (uid >= lo && uid <= hi)
            return true;
    }
    return false;
}

std::string uid_set::to_string() const {
    std::string out;
    for (const auto& r : ranges_) {
        if (!out.empty())
            out += ',';
        append_number(out, r.first);
        if (r.last != r.first) {
            out += ':';
            append_number(out, r.last);
        }
    }
    return out;
}

std::vector<uid_set> uid_set::split(std::size_t max_chars) const {
    std::vector<uid_set> out;
    std::size_t length = 0;
    for (const auto& r : ranges_) {
        const auto piece = uid_set::range(r.first, r.last).to_string().size();
        if (out.empty() || length + 1 + piece > max_chars) {
            out.emplace_back();
            length = piece;
        } else {
            length += 1 + piece;
        }
        out.back().ranges_.push_back(r);
    }
    return out;
}

} // namespace postfach::imap
