#pragma once
// Case folding of protocol words (IMAP atoms and flags, POP3 keywords and response codes,
// header field names, time zone names): ASCII only, never the process locale's rules.

#include <string>
#include <string_view>

namespace postfach::util {

std::string ascii_upper(std::string_view s);
std::string ascii_lower(std::string_view s);
bool ascii_iequals(std::string_view a, std::string_view b);

} // namespace postfach::util
