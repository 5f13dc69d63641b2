#pragma once
// protocol: auto (design.md §2): try IMAP, implicit TLS then STARTTLS, and use POP3 only when
// the server has no IMAP service. A wrong password, an untrusted certificate, DNS trouble or a
// timeout is never a reason to fall back: they would hide a problem the user must see (and
// POP3 would fail the same way, or worse, silently work around a misconfigured IMAP).

#include "config/config.hpp"
#include "imap/connection.hpp"

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace postfach {

// The IMAP blocks to try, in order: the account's; for protocol auto with implicit TLS on the
// default port 993, then STARTTLS on 143 as well. Precondition: the account has an imap block.
std::vector<config::server_config> imap_attempts(const config::account_config& account);

// Whether a failed IMAP open() shows that no IMAP service is there: the connection was refused,
// the implicit TLS handshake failed (not a TLS port), or what answered sent no IMAP greeting.
bool is_no_imap_service(imap::connection_step step, std::error_code ec);

// "localhost:993: connection refused; localhost:143: connection refused; using POP3 at
// localhost:995": the one line that says an auto account fell back, and why.
std::string describe_fallback(const std::vector<std::string>& reasons,
                              const config::server_config& pop3);

// What opening an account's IMAP came to (open_imap()).
struct imap_opening {
    // Open (ready): IMAP works, on `server`.
    std::unique_ptr<imap::connection> connection;
    config::server_config server;
    // Not open, and every attempt found no IMAP service there (protocol auto only): use POP3.
    // `reasons` say why, one per attempt, for describe_fallback().
    bool no_imap = false;
    std::vector<std::string> reasons;
    // Not open for another reason (the last attempt's connection, failed_step and diagnostics
    // say why, with failed_ec): report it; never a reason to use POP3.
    std::unique_ptr<imap::connection> failed;
    std::error_code failed_ec;
};

// Whether something answers at a POP3 block: TCP, and the TLS handshake where TLS is implicit.
// An account whose IMAP had no service uses POP3 only then: when neither answers, the server is
// down or unreachable (no network yet at boot), which says nothing about its protocols.
boost::asio::awaitable<std::error_code> reach_pop3(config::server_config server,
                                                   std::string& diagnostics);

// Tries imap_attempts(account) in order, as `sync` does for each pass and the daemon once per
// account: the first that opens wins. The account is taken by value (coroutine).
boost::asio::awaitable<imap_opening> open_imap(config::account_config account);

} // namespace postfach
