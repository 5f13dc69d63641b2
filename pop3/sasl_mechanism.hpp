#pragma once
// The client side of one SASL mechanism as the POP3 session drives it (AUTH, RFC 5034).
//
// net/ (not merged yet) has net::sasl_mechanism with the same three functions, and imap/ has
// declared the same interface for the same reason; rather than a third copy, POP3 uses imap's
// until both switch to net's. Contract as there: the session calls initial_response() once
// (POP3 AUTH always allows one), base64-encodes what the mechanism returns, decodes challenges
// before step(), and cancels with "*" when step() fails. A withheld initial response (the AUTH
// line would exceed 255 octets) is sent after the server's empty challenge instead.

#include "imap/sasl_mechanism.hpp"

namespace postfach::pop3 {

using sasl_mechanism = imap::sasl_mechanism;

} // namespace postfach::pop3
