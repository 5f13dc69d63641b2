#pragma once
// Errors of the POP3 protocol layer (parser, writer, session). Each comes with a diagnostics
// string from the code that raised it; server text in it is quoted, never interpreted.
//
// Grading (what the account supervisor does with a failed session):
//  - is_transient(): the server is reachable and the credentials may well be right, but it
//    cannot serve us now (maildrop locked, too soon after the last login, temporary failure):
//    retry later with backoff, do not re-ask for credentials.
//  - auth_failed: the credentials are wrong (RFC 2449 [AUTH], or a bare -ERR to the login):
//    stop the account until the user fixes them.
//  - everything else: a protocol or configuration problem; reconnect with backoff.

#include <string>
#include <system_error>

namespace postfach::pop3 {

enum class pop3_errc {
    // Response parser: the server broke the protocol or a limit. The connection is unusable.
    syntax_error = 1,  // the response does not follow the grammar
    line_too_long,     // a response line above parser_limits::max_line_size (RFC 2449 §4: 512)
    message_too_large, // a RETR/TOP body above parser_limits::max_message_size
    too_many_entries,  // a UIDL/LIST/CAPA listing above max_listing_entries or max_listing_size
    parser_failed,     // consume() called again after an error
    // Command writer.
    command_too_long, // a command above 255 octets with its CRLF (RFC 2449 §4)
    invalid_argument, // an argument with CR, LF or NUL, an empty one, or a number out of range
    // Session.
    stls_injection,      // bytes arrived after the STLS +OK, before the TLS handshake
    stls_not_offered,    // tls: starttls but the server lacks STLS
    stls_refused,        // the server answered STLS with -ERR
    no_auth_method,      // no allowed SASL mechanism offered, and no usable USER/PASS or APOP
    auth_failed,         // the server rejected our credentials ([AUTH] or no code)
    in_use,              // [IN-USE]: maildrop locked by another session (transient)
    login_delay,         // [LOGIN-DELAY]: logged in too soon after the last login (transient)
    server_busy,         // [SYS/TEMP]: temporary server failure (transient)
    server_failure,      // [SYS/PERM]: permanent server failure
    greeting_rejected,   // the greeting was -ERR
    command_failed,      // a session command (QUIT) got -ERR
    unexpected_response, // a response while no command is in flight
    wrong_state,         // an operation the session cannot do in its current state
};

const std::error_category& pop3_category() noexcept;

inline std::error_code make_error_code(pop3_errc e) noexcept {
    return {static_cast<int>(e), pop3_category()};
}

// True for in_use, login_delay and server_busy: retry later without new credentials.
[[nodiscard]] bool is_transient(std::error_code ec) noexcept;

} // namespace postfach::pop3

template <>
struct std::is_error_code_enum<postfach::pop3::pop3_errc> : std::true_type {};
