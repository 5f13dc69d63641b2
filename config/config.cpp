#include "config/config.hpp"

namespace postfach::config {

const account_config* configuration::find_account(std::string_view name) const {
    for (const auto& a : accounts)
        if (a.name == name)
            return &a;
    return nullptr;
}

std::uint16_t default_port(server_kind kind, tls_mode tls) {
    const bool implicit = tls == tls_mode::implicit;
    if (kind == server_kind::imap)
        return implicit ? 993 : 143;
    return implicit ? 995 : 110;
}

server_config derive_pop3_from_imap(const server_config& imap) {
    server_config pop3 = imap;
    pop3.port = default_port(server_kind::pop3, imap.tls);
    pop3.leave_on_server = true;
    pop3.delete_after_days = 0;
    return pop3;
}

std::string_view to_string(tls_mode v) {
    switch (v) {
    case tls_mode::implicit:
        return "implicit";
    case tls_mode::starttls:
        return "starttls";
    case tls_mode::none:
        return "none";
    }
    return "?";
}

std::string_view to_string(layout_kind v) {
    return v == layout_kind::verbatim ? "verbatim" : "maildir++";
}

std::string_view to_string(protocol_kind v) {
    switch (v) {
    case protocol_kind::auto_detect:
        return "auto";
    case protocol_kind::imap:
        return "imap";
    case protocol_kind::pop3:
        return "pop3";
    }
    return "?";
}

std::string_view to_string(sync_direction v) {
    switch (v) {
    case sync_direction::both:
        return "both";
    case sync_direction::pull:
        return "pull";
    case sync_direction::push:
        return "push";
    }
    return "?";
}

std::string_view to_string(expunge_mode v) {
    switch (v) {
    case expunge_mode::both:
        return "both";
    case expunge_mode::local:
        return "local";
    case expunge_mode::remote:
        return "remote";
    case expunge_mode::none:
        return "none";
    }
    return "?";
}

std::string_view to_string(auth_mechanism v) {
    switch (v) {
    case auth_mechanism::plain:
        return "plain";
    case auth_mechanism::login:
        return "login";
    case auth_mechanism::xoauth2:
        return "xoauth2";
    case auth_mechanism::oauthbearer:
        return "oauthbearer";
    }
    return "?";
}

std::string_view to_string(secret_source::kind v) {
    switch (v) {
    case secret_source::kind::password:
        return "password";
    case secret_source::kind::password_file:
        return "password_file";
    case secret_source::kind::password_command:
        return "password_command";
    case secret_source::kind::oauth2_token_command:
        return "oauth2_token_command";
    }
    return "?";
}

} // namespace postfach::config
