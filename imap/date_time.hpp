#pragma once
// RFC 3501 date-time ("17-Jul-1996 02:44:25 -0700"), the form of INTERNALDATE in FETCH and of
// the date of APPEND, to and from seconds since the epoch.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postfach::imap {

// In UTC: "26-Nov-2026 07:15:42 +0000".
std::string format_date_time(std::int64_t seconds);
// Seconds since the epoch, or nullopt when the text is not a date-time (a leading space for a
// one-digit day is accepted, as RFC 3501 writes it).
std::optional<std::int64_t> parse_date_time(std::string_view text);

} // namespace postfach::imap
