#pragma once
// What a TLS connection negotiated, for `postfach check` and for logs.

#include <chrono>
#include <string>

namespace postfach::net {

struct tls_session_info {
    std::string protocol;     // "TLSv1.3"
    std::string cipher;       // "TLS_AES_256_GCM_SHA384"
    std::string peer_subject; // RFC 2253 form, "CN=imap.example.com,O=Example"
    std::string peer_issuer;  // RFC 2253 form
    std::chrono::system_clock::time_point peer_not_after; // certificate expiry
    std::string peer_not_after_text;                      // "2027-11-26 05:55:00 UTC"
};

// One line for `postfach check` and logs: "TLSv1.3 TLS_AES_256_GCM_SHA384, certificate
// CN=localhost issued by CN=postfach test CA, valid until 2027-11-26 05:55:00 UTC".
std::string describe(const tls_session_info& info);

} // namespace postfach::net
