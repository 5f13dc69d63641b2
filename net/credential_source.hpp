#pragma once
// Resolves a server block's secret_source (design.md §2) into the secret itself:
//  - password: as configured;
//  - password_file: its first line (the line ending stripped); the file must not be accessible
//    by group or others (the fix, `chmod 600 FILE`, is in the message);
//  - password_command / oauth2_token_command: run without a shell (argv as configured), the
//    first line of its stdout; a non-zero exit, a signal, a timeout or an empty line is an error
//    whose diagnostics quote the command's stderr.
// Tokens expire: callers run oauth2_token_command again for every connection (call this again).
// The secret never appears in a diagnostics string: wherever the command line or its stderr
// repeats what the command printed, that is replaced by "***".

#include "config/config.hpp"
#include "util/secret.hpp"

#include <chrono>
#include <string>
#include <system_error>

namespace postfach::net {

struct credential_options {
    std::chrono::milliseconds command_timeout{std::chrono::seconds(30)};
};

// Blocks while a command runs (at most command_timeout). On failure, secret is left empty and
// diagnostics says which file or command failed and why.
std::error_code resolve_secret(const config::secret_source& source, secret_string& secret,
                               std::string& diagnostics, const credential_options& options = {});

} // namespace postfach::net
