#pragma once
// `postfach check` for one POP3 server block: connect, TLS, log in, capabilities, STAT, QUIT
// (which deletes nothing: no DELE was sent); what it learnt on the way, and why it stopped if it
// failed, as one line for the user (check_failure.hpp's wording).

#include "config/config.hpp"
#include "daemon/check_failure.hpp"
#include "net/tls_session_info.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace postfach {

struct pop3_check_report {
    std::string peer_address; // empty: not connected
    std::optional<net::tls_session_info> tls;
    std::string authentication;            // "AUTH PLAIN", "USER/PASS"; empty: not logged in
    std::vector<std::string> capabilities; // after login
    std::optional<std::uint64_t> messages; // STAT
    std::uint64_t bytes = 0;
    std::error_code error; // empty: everything worked
    check_failure failure; // with error
};

// Blocks until done (every network step has its timeout). trace_name prefixes the protocol
// trace (--verbose, credentials redacted).
pop3_check_report check_pop3_server(const config::server_config& server,
                                    const std::string& trace_name);

} // namespace postfach
