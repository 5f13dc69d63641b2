#include "maildir/message_flags.hpp"

#include "util/ascii.hpp"

#include <array>
#include <cctype>

namespace postfach::maildir {
namespace {

struct flag_info {
    flag value;
    char letter;
    std::string_view imap;
};

// In ASCII order of the letters, so iterating yields sorted info parts.
constexpr std::array<flag_info, 6> table{{
    {flag::draft, 'D', "\\Draft"},
    {flag::flagged, 'F', "\\Flagged"},
    {flag::forwarded, 'P', "$Forwarded"},
    {flag::answered, 'R', "\\Answered"},
    {flag::seen, 'S', "\\Seen"},
    {flag::deleted, 'T', "\\Deleted"},
}};

} // namespace

char flag_letter(flag f) noexcept {
    for (const auto& info : table)
        if (info.value == f)
            return info.letter;
    return '?';
}

std::optional<flag> flag_from_letter(char letter) noexcept {
    for (const auto& info : table)
        if (info.letter == letter)
            return info.value;
    return std::nullopt;
}

std::string_view imap_name(flag f) noexcept {
    for (const auto& info : table)
        if (info.value == f)
            return info.imap;
    return {};
}

std::optional<flag> flag_from_imap_name(std::string_view name) noexcept {
    for (const auto& info : table)
        if (util::ascii_iequals(info.imap, name))
            return info.value;
    return std::nullopt;
}

std::string flag_set::letters() const {
    std::string out;
    for (const auto& info : table)
        if (has(info.value))
            out.push_back(info.letter);
    return out;
}

} // namespace postfach::maildir
