#pragma once
// Errors of reading a secret (password_file, password_command, oauth2_token_command).
// A diagnostics string next to the code says which file or command and why; it never contains
// the secret.

#include <system_error>

namespace postfach::net {

enum class credential_errc {
    file_unreadable = 1, // password_file cannot be opened or read
    file_too_permissive, // password_file is accessible by group or others
    empty_secret,        // the file or command gave an empty first line
    command_not_started, // the command could not be executed (not found, not executable)
    command_failed,      // it exited non-zero or was killed by a signal
    command_timed_out,   // it did not finish within the timeout
    command_output_too_large,
};

const std::error_category& credential_category() noexcept;
std::error_code make_error_code(credential_errc e) noexcept;

} // namespace postfach::net

template <>
struct std::is_error_code_enum<postfach::net::credential_errc> : std::true_type {};
