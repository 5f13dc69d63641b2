#include "imap/message_id.hpp"

#include "util/ascii.hpp"

#include <algorithm>
#include <cctype>

namespace postfach::imap {

namespace {

bool starts_with_field(std::string_view line, std::string_view name) {
    if (line.size() <= name.size() || line[name.size()] != ':')
        return false;
    return util::ascii_iequals(line.substr(0, name.size()), name);
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

} // namespace

std::string find_message_id(std::string_view header_block) {
    std::string value;
    bool in_field = false;
    while (!header_block.empty()) {
        const auto end = header_block.find('\n');
        auto line = header_block.substr(0, end);
        header_block.remove_prefix(end == std::string_view::npos ? header_block.size() : end + 1);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.empty())
            break; // the end of the header block
        const bool continuation = line.front() == ' ' || line.front() == '\t';
        if (in_field && continuation) {
            value += trim(line);
            continue;
        }
        if (in_field)
            break;
        if (starts_with_field(line, "Message-ID")) {
            in_field = true;
            value = trim(line.substr(11));
        }
    }
    return value;
}

} // namespace postfach::imap
