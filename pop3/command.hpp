#pragma once
// One POP3 client command as bytes on the wire, with what its response looks like.

#include "pop3/response.hpp"

#include <string>

namespace postfach::pop3 {

struct command {
    std::string name;  // for diagnostics and traces: "RETR 3", "PASS" (never the secret)
    std::string bytes; // the whole line, CRLF included
    // The bytes carry credentials (PASS, APOP digest, SASL data): traces must show only the
    // length (logging::trace_protocol(..., sensitive = true)).
    bool sensitive = false;
    response_kind expects = response_kind::status;

    friend bool operator==(const command&, const command&) = default;
};

} // namespace postfach::pop3
