#pragma once
// `postfach check` for one IMAP server block: connect, TLS, authenticate, capabilities, folders
// with message counts, LOGOUT; what it learnt on the way, and where it stopped if it failed.

#include "config/config.hpp"
#include "imap/connection.hpp"
#include "imap/folder_listing.hpp"
#include "net/tls_session_info.hpp"

#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace postfach {

struct imap_check_report {
    std::string peer_address; // empty: not connected
    std::optional<net::tls_session_info> tls;
    std::string authentication;            // "AUTHENTICATE PLAIN"; empty: not authenticated
    std::vector<std::string> capabilities; // after login
    std::optional<std::vector<imap::folder_info>> folders;
    bool logged_out = false;
    std::error_code error; // empty: everything worked
    imap::connection_step step = imap::connection_step::credentials;
    std::string diagnostics;
};

// Blocks until done (every network step has its timeout). trace_name prefixes the protocol
// trace (shown with --verbose, credentials redacted).
imap_check_report check_imap_server(const config::server_config& server,
                                    const std::string& trace_name);

} // namespace postfach
