#pragma once
// Errors of SASL mechanisms and of choosing one. The message says what went wrong in terms a
// user can act on; details (the server's words, the offered list) go to a diagnostics string.

#include <system_error>

namespace postfach::net {

enum class sasl_errc {
    unexpected_challenge = 1, // the server sent a challenge the mechanism has no answer for
    malformed_challenge,      // a challenge that is not valid base64
    no_common_mechanism,      // nothing the server offers fits the config and the secret
    secret_kind_mismatch,     // `auth` lists only mechanisms for the other kind of secret
    plaintext_refused,        // the credentials would cross the network unencrypted
};

const std::error_category& sasl_category() noexcept;
std::error_code make_error_code(sasl_errc e) noexcept;

} // namespace postfach::net

template <>
struct std::is_error_code_enum<postfach::net::sasl_errc> : std::true_type {};
