#pragma once
// Picks the SASL mechanism for a login from what the server offers, the config's `auth` order
// and the kind of secret. Protocol-neutral: IMAP passes its AUTH= capabilities, POP3 its SASL
// capability words.
//
// Rules:
//  - A token (oauth2_token_command) can only be used with OAUTHBEARER or XOAUTH2, a password
//    only with PLAIN or LOGIN; `auth` entries for the other kind are skipped.
//  - Order: `auth` as configured; when empty, OAUTHBEARER then XOAUTH2 for a token, PLAIN then
//    LOGIN for a password. The first one the server offers wins.
//  - No credentials on an unencrypted connection, unless the peer is a loopback address or the
//    server block says allow_plaintext (design.md §2).

#include "config/config.hpp"

#include <string>
#include <system_error>
#include <vector>

namespace postfach::net {

enum class secret_kind { password, oauth2_token };

[[nodiscard]] secret_kind secret_kind_of(config::secret_source::kind source) noexcept;

struct sasl_choice_request {
    std::vector<std::string> offered;               // mechanism names, any case
    std::vector<config::auth_mechanism> configured; // the server block's `auth`; may be empty
    secret_kind secret = secret_kind::password;
    bool encrypted = false;       // TLS is active on the connection
    bool loopback = false;        // the peer address is a loopback address
    bool allow_plaintext = false; // the server block's allow_plaintext
};

// The request for a server block: its `auth`, its kind of secret, its allow_plaintext.
// encrypted and loopback describe the connection (transport::uses_tls, peer_is_loopback).
sasl_choice_request sasl_choice_for(const config::server_config& server,
                                    std::vector<std::string> offered, bool encrypted,
                                    bool loopback);

// On success sets chosen. On failure returns a sasl_errc and explains in diagnostics
// (e.g. "the server offers LOGIN, CRAM-MD5; usable with a password: PLAIN, LOGIN").
std::error_code choose_sasl_mechanism(const sasl_choice_request& request,
                                      config::auth_mechanism& chosen, std::string& diagnostics);

// The IANA name of a mechanism: "PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER".
[[nodiscard]] std::string_view sasl_name(config::auth_mechanism mechanism) noexcept;

} // namespace postfach::net
