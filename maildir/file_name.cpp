#include "maildir/file_name.hpp"

#include <algorithm>

namespace postfach::maildir {

file_name file_name::parse(std::string_view name) {
    file_name out;
    const auto colon = name.find(':');
    out.base = std::string(name.substr(0, colon));
    if (colon == std::string_view::npos)
        return out;
    out.has_info = true;
    const std::string_view info = name.substr(colon + 1);
    if (!info.starts_with("2,")) {
        out.foreign_info = std::string(info);
        return out;
    }
    std::string_view letters = info.substr(2);
    const auto comma = letters.find(',');
    if (comma != std::string_view::npos) {
        out.has_rest = true;
        out.rest = std::string(letters.substr(comma + 1));
        letters = letters.substr(0, comma);
    }
    for (char c : letters) {
        if (auto f = flag_from_letter(c))
            out.flags.set(*f);
        else
            out.other_letters.push_back(c);
    }
    return out;
}

std::string file_name::compose() const {
    std::string letters = flags.letters() + other_letters;
    std::sort(letters.begin(), letters.end());
    std::string out = base + ":2," + letters;
    if (has_rest)
        out += "," + rest;
    return out;
}

std::string file_name::compose_for_new() const {
    if (!foreign_info.empty())
        return base + ":" + foreign_info;
    if (other_letters.empty() && !has_rest && flags.empty())
        return base;
    return compose();
}

bool is_message_file_name(std::string_view name) noexcept {
    return !name.empty() && name.front() != '.' && name.find('/') == std::string_view::npos;
}

} // namespace postfach::maildir
