#pragma once
// The date a Maildir message gets when it is uploaded (IMAP INTERNALDATE): the Date header
// (RFC 5322 §3.3, with the obsolete forms of §4.3: two-digit years, zone names), else the
// file's mtime, which is what Dovecot itself takes for INTERNALDATE (protocol-notes §5).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

namespace postfach::maildir {

// Seconds since the epoch of an RFC 5322 date-time ("Tue, 1 Jul 2003 10:52:37 +0200"), or
// nothing if it cannot be read.
std::optional<std::int64_t> parse_rfc5322_date(std::string_view text);

// The Date header of the file's header block, parsed; else mtime.
std::int64_t internal_date_of(const std::filesystem::path& file,
                              std::chrono::system_clock::time_point mtime);

} // namespace postfach::maildir
