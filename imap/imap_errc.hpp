#pragma once
// Errors of the IMAP protocol layer (parser, writer, session). Each comes with a diagnostics
// string from the code that raised it; server text in it is quoted, never interpreted.

#include <string>
#include <system_error>

namespace postfach::imap {

enum class imap_errc {
    // Response parser: the server broke the protocol or a limit. The connection is unusable.
    syntax_error = 1,   // the response does not follow the grammar
    line_too_long,      // a non-literal line above parser_limits::max_line_size
    literal_too_large,  // a literal above parser_limits::max_literal_size
    response_too_large, // buffered text of one response above max_response_size
    nesting_too_deep,   // parenthesised lists nested deeper than max_nesting_depth
    parser_failed,      // consume() called again after an error
    // Mailbox names.
    invalid_mailbox_name, // not valid modified UTF-7 or not valid UTF-8
    // Session.
    starttls_injection,   // bytes arrived after the STARTTLS OK, before the TLS handshake
    starttls_not_offered, // tls: starttls but the server lacks STARTTLS
    starttls_refused,     // the server answered STARTTLS with NO/BAD
    cleartext_preauth,    // PREAUTH greeting on a connection that must become TLS first
    login_disabled,       // LOGINDISABLED and no usable SASL mechanism
    no_auth_mechanism,    // none of the allowed mechanisms is offered
    auth_failed,          // the server rejected our credentials
    command_failed,       // a command got NO or BAD
    server_bye,           // the server sent BYE (closing the connection)
    unexpected_response,  // a response that fits no command in flight
    pipeline_full,        // more commands in flight than the configured depth
    wrong_state,          // an operation the session cannot do in its current state
};

const std::error_category& imap_category() noexcept;

inline std::error_code make_error_code(imap_errc e) noexcept {
    return {static_cast<int>(e), imap_category()};
}

} // namespace postfach::imap

template <>
struct std::is_error_code_enum<postfach::imap::imap_errc> : std::true_type {};
