#pragma once
// The wire side of a SASL exchange that IMAP AUTHENTICATE (RFC 3501 §6.2.2, SASL-IR RFC 4959)
// and POP3 AUTH (RFC 5034) share: challenges and responses are base64 lines, an empty initial
// response is sent as "=", and "*" cancels. The protocol code frames the command and reads the
// continuation lines; this class turns them into the lines to send.
//
//   sasl_exchange x(make_sasl_mechanism(...));
//   auto ir = x.initial_argument();        // with SASL-IR / POP3: "AUTH PLAIN <ir>"
//   on "+ <text>":  auto line = x.answer(text, ec);  send line + CRLF ("*" if ec)
//   on NO / -ERR:   quote x.server_error() if not empty (bearer token error details)
//
// Every returned line carries credentials: trace it as sensitive.

#include "net/sasl_mechanism.hpp"
#include "util/secret.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace postfach::net {

class sasl_exchange {
public:
    explicit sasl_exchange(std::unique_ptr<sasl_mechanism> mechanism)
        : mechanism_(std::move(mechanism)) {}

    [[nodiscard]] std::string_view mechanism_name() const { return mechanism_->name(); }

    // The initial response for the command line: base64, "=" for an empty one, nullopt for a
    // server-first mechanism (send the command without an argument). Call at most once, and
    // only when the protocol allows an initial response (IMAP: SASL-IR offered).
    std::optional<secret_string> initial_argument();

    // The line answering a continuation whose text is base64_challenge (without "+ "). On
    // failure (malformed base64, a challenge the mechanism cannot answer) sets ec and returns
    // "*", which cancels the exchange; the server then ends it with NO / -ERR.
    secret_string answer(std::string_view base64_challenge, std::error_code& ec);

    // The decoded error challenge of a bearer token mechanism, or empty: untrusted server text.
    [[nodiscard]] const std::string& server_error() const { return mechanism_->server_error(); }

private:
    std::unique_ptr<sasl_mechanism> mechanism_;
};

} // namespace postfach::net
