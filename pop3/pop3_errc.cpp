#include "pop3/pop3_errc.hpp"

namespace postfach::pop3 {

namespace {

class pop3_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "pop3"; }
    std::string message(int value) const override {
        switch (static_cast<pop3_errc>(value)) {
        case pop3_errc::syntax_error:
            return "malformed POP3 response";
        case pop3_errc::line_too_long:
            return "POP3 response line too long";
        case pop3_errc::message_too_large:
            return "POP3 message too large";
        case pop3_errc::too_many_entries:
            return "POP3 listing too long";
        case pop3_errc::parser_failed:
            return "POP3 parser already failed";
        case pop3_errc::command_too_long:
            return "POP3 command too long";
        case pop3_errc::invalid_argument:
            return "invalid POP3 command argument";
        case pop3_errc::stls_injection:
            return "data received after STLS before TLS";
        case pop3_errc::stls_not_offered:
            return "server does not offer STLS";
        case pop3_errc::stls_refused:
            return "server refused STLS";
        case pop3_errc::no_auth_method:
            return "no allowed authentication method offered";
        case pop3_errc::auth_failed:
            return "authentication failed";
        case pop3_errc::in_use:
            return "maildrop in use by another session";
        case pop3_errc::login_delay:
            return "login too soon after the previous one";
        case pop3_errc::server_busy:
            return "temporary server failure";
        case pop3_errc::server_failure:
            return "permanent server failure";
        case pop3_errc::greeting_rejected:
            return "server rejected the connection";
        case pop3_errc::command_failed:
            return "POP3 command failed";
        case pop3_errc::unexpected_response:
            return "unexpected POP3 response";
        case pop3_errc::wrong_state:
            return "POP3 operation not allowed in this session state";
        }
        return "unknown POP3 error";
    }
};

} // namespace

const std::error_category& pop3_category() noexcept {
    static const pop3_category_impl category;
    return category;
}

bool is_transient(std::error_code ec) noexcept {
    return ec == pop3_errc::in_use || ec == pop3_errc::login_delay || ec == pop3_errc::server_busy;
}

} // namespace postfach::pop3
