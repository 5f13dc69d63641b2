#pragma once
// What the user can do about a failure of the local system (design.md: every error message says
// what to do next where that is knowable): a full disk, too few file descriptors, a read-only or
// unwritable Maildir. Shared by the one-shot sync's report and the daemon's log.

#include <string>
#include <string_view>
#include <system_error>

namespace postfach::util {

// The advice for `ec`, or an empty view when the error is not one the user fixes on this machine
// (a server's refusal, a lost connection: those have their own words).
std::string_view advice_for_system_error(const std::error_code& ec) noexcept;

// ec.message(), followed by "; " and the advice when there is one.
std::string message_with_advice(const std::error_code& ec);

} // namespace postfach::util
