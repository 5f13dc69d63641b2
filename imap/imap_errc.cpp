#include "imap/imap_errc.hpp"

namespace postfach::imap {

namespace {

class imap_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "imap"; }
    std::string message(int value) const override {
        switch (static_cast<imap_errc>(value)) {
        case imap_errc::syntax_error:
            return "malformed IMAP response";
        case imap_errc::line_too_long:
            return "IMAP response line too long";
        case imap_errc::literal_too_large:
            return "IMAP literal too large";
        case imap_errc::response_too_large:
            return "IMAP response too large";
        case imap_errc::nesting_too_deep:
            return "IMAP response nested too deeply";
        case imap_errc::parser_failed:
            return "IMAP parser already failed";
        case imap_errc::invalid_mailbox_name:
            return "invalid mailbox name";
        case imap_errc::starttls_injection:
            return "data received after STARTTLS before TLS";
        case imap_errc::starttls_not_offered:
            return "server does not offer STARTTLS";
        case imap_errc::starttls_refused:
            return "server refused STARTTLS";
        case imap_errc::cleartext_preauth:
            return "PREAUTH on a connection that requires TLS";
        case imap_errc::login_disabled:
            return "server disabled LOGIN and offers no usable mechanism";
        case imap_errc::no_auth_mechanism:
            return "no allowed authentication mechanism offered";
        case imap_errc::auth_failed:
            return "authentication failed";
        case imap_errc::command_failed:
            return "IMAP command failed";
        case imap_errc::server_bye:
            return "server closed the IMAP session";
        case imap_errc::unexpected_response:
            return "unexpected IMAP response";
        case imap_errc::pipeline_full:
            return "too many IMAP commands in flight";
        case imap_errc::wrong_state:
            return "IMAP operation not allowed in this session state";
        }
        return "unknown IMAP error";
    }
};

} // namespace

const std::error_category& imap_category() noexcept {
    static const imap_category_impl category;
    return category;
}

} // namespace postfach::imap
