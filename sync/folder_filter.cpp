#include "sync/folder_filter.hpp"

#include "util/ascii.hpp"

#include <algorithm>
#include <cctype>

namespace postfach::sync {

namespace {

// "INBOX" is case-insensitive (RFC 3501 §5.1), and so is its prefix in "INBOX/Sub".
std::string canonical_inbox(std::string_view name) {
    std::string out(name);
    if (name.size() >= 5) {
        if (util::ascii_iequals(name.substr(0, 5), "INBOX") && (name.size() == 5 || name[5] == '/'))
            out.replace(0, 5, "INBOX");
    }
    return out;
}

bool match(std::string_view p, std::string_view n) {
    while (!p.empty()) {
        const char c = p.front();
        if (c == '*' || c == '%') {
            p.remove_prefix(1);
            for (std::size_t i = 0; i <= n.size(); ++i) {
                if (match(p, n.substr(i)))
                    return true;
                if (i < n.size() && c == '%' && n[i] == '/')
                    return false;
            }
            return false;
        }
        if (n.empty() || n.front() != c)
            return false;
        p.remove_prefix(1);
        n.remove_prefix(1);
    }
    return n.empty();
}

} // namespace

bool matches_list_pattern(std::string_view pattern, std::string_view name) {
    return match(canonical_inbox(pattern), canonical_inbox(name));
}

folder_selector make_folder_selector(std::vector<std::string> include,
                                     std::vector<std::string> exclude) {
    return [include = std::move(include), exclude = std::move(exclude)](const folder_info& f) {
        if (f.special_use == "\\All" || f.special_use == "\\Flagged")
            return false;
        auto any = [&](const std::vector<std::string>& patterns) {
            return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) {
                return matches_list_pattern(p, f.name);
            });
        };
        return any(include) && !any(exclude);
    };
}

} // namespace postfach::sync
