#pragma once
// `postfach check`: turns what went wrong on a connection into one line for the user, naming
// what failed and what to do, and grades it for the exit code (design.md §1: 75 for network or
// server trouble worth retrying, 1 for what the user must fix).

#include "config/config.hpp"
#include "imap/connection.hpp"

#include <string>
#include <system_error>

namespace postfach {

struct check_failure {
    std::string line;       // "TLS verification failed for localhost:993: ...; set ca_file ..."
    bool transient = false; // retrying later with the same config may succeed
};

// ec and diagnostics as the connection reported them (diagnostics never hold the secret).
check_failure describe_check_failure(const config::server_config& server,
                                     imap::connection_step step, std::error_code ec,
                                     const std::string& diagnostics);

} // namespace postfach
