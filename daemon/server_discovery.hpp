#pragma once
// Proposes server settings for an e-mail domain, for `postfach init`: a table of well-known
// providers first, then RFC 6186 SRV records (_imaps, _imap, _pop3s, _pop3 over _tcp), then
// common host names (imap.DOMAIN, mail.DOMAIN, pop.DOMAIN) that resolve. IMAP proposals come
// before POP3 ones; each says where it came from, so the user can judge it.

#include "config/config.hpp"
#include "net/name_lookup.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace postfach {

struct server_proposal {
    config::server_kind kind = config::server_kind::imap;
    std::string host;
    std::uint16_t port = 0;
    config::tls_mode tls = config::tls_mode::implicit;
    std::string source;        // "known provider", "DNS SRV _imaps._tcp.example.com", ...
    bool oauth2 = false;       // the provider wants OAuth2 (an oauth2_token_command)
    std::string provider_note; // e.g. how to get an app password; empty when none
};

std::vector<server_proposal> propose_servers(std::string_view domain, net::name_lookup& dns);

// "imap.example.com:993 (IMAP, implicit TLS; from DNS SRV _imaps._tcp.example.com)".
std::string describe(const server_proposal& proposal);

} // namespace postfach
