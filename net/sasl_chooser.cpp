#include "net/sasl_chooser.hpp"

#include "net/sasl_errc.hpp"
#include "util/ascii.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fmt/format.h>

namespace postfach::net {

namespace {

using config::auth_mechanism;

bool fits(auth_mechanism m, secret_kind kind) {
    const bool token_mechanism = m == auth_mechanism::oauthbearer || m == auth_mechanism::xoauth2;
    return token_mechanism == (kind == secret_kind::oauth2_token);
}

bool offered(const std::vector<std::string>& list, auth_mechanism m) {
    return std::any_of(list.begin(), list.end(),
                       [m](const std::string& s) { return util::ascii_iequals(s, sasl_name(m)); });
}

std::string names(const std::vector<auth_mechanism>& list) {
    std::vector<std::string_view> out;
    for (const auto m : list)
        out.push_back(sasl_name(m));
    return fmt::format("{}", fmt::join(out, ", "));
}

// Mechanism names come from the server: show them, but never a control character.
std::string printable(const std::vector<std::string>& list) {
    std::string out;
    for (const auto& name : list) {
        if (!out.empty())
            out += ", ";
        for (const char c : name)
            out += c > 0x20 && c < 0x7f ? c : '?';
    }
    return out;
}

std::string_view describe(secret_kind kind) {
    return kind == secret_kind::oauth2_token ? "an OAuth2 token (oauth2_token_command)"
                                             : "a password";
}

} // namespace

secret_kind secret_kind_of(config::secret_source::kind source) noexcept {
    return source == config::secret_source::kind::oauth2_token_command ? secret_kind::oauth2_token
                                                                       : secret_kind::password;
}

std::string_view sasl_name(auth_mechanism mechanism) noexcept {
    switch (mechanism) {
    case auth_mechanism::plain:
        return "PLAIN";
    case auth_mechanism::login:
        return "LOGIN";
    case auth_mechanism::xoauth2:
        return "XOAUTH2";
    case auth_mechanism::oauthbearer:
        return "OAUTHBEARER";
    }
    return "";
}

sasl_choice_request sasl_choice_for(const config::server_config& server,
                                    std::vector<std::string> offered, bool encrypted,
                                    bool loopback) {
    sasl_choice_request request;
    request.offered = std::move(offered);
    request.configured = server.auth;
    request.secret = secret_kind_of(server.secret.source);
    request.encrypted = encrypted;
    request.loopback = loopback;
    request.allow_plaintext = server.allow_plaintext;
    return request;
}

std::error_code choose_sasl_mechanism(const sasl_choice_request& request, auth_mechanism& chosen,
                                      std::string& diagnostics) {
    if (!request.encrypted && !request.loopback && !request.allow_plaintext) {
        diagnostics = "the connection is not encrypted and the server is not on this machine; "
                      "use tls: implicit or starttls";
        return sasl_errc::plaintext_refused;
    }

    std::vector<auth_mechanism> candidates;
    if (request.configured.empty()) {
        candidates = request.secret == secret_kind::oauth2_token
                         ? std::vector{auth_mechanism::oauthbearer, auth_mechanism::xoauth2}
                         : std::vector{auth_mechanism::plain, auth_mechanism::login};
    } else {
        std::copy_if(request.configured.begin(), request.configured.end(),
                     std::back_inserter(candidates),
                     [&](auth_mechanism m) { return fits(m, request.secret); });
        if (candidates.empty()) {
            diagnostics = fmt::format("auth lists {}, which cannot be used with {}",
                                      names(request.configured), describe(request.secret));
            return sasl_errc::secret_kind_mismatch;
        }
    }

    for (const auto m : candidates) {
        if (offered(request.offered, m)) {
            chosen = m;
            return {};
        }
    }
    diagnostics = fmt::format(
        "the server offers {}; usable with {}{}: {}",
        request.offered.empty() ? std::string("no SASL mechanisms") : printable(request.offered),
        describe(request.secret), request.configured.empty() ? "" : " and the configured auth",
        names(candidates));
    return sasl_errc::no_common_mechanism;
}

} // namespace postfach::net
