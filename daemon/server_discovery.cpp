#include "daemon/server_discovery.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>

namespace postfach {

namespace {

using config::server_kind;
using config::tls_mode;

struct known_provider {
    std::string_view domains; // space-separated
    std::string_view imap_host;
    bool oauth2;
    std::string_view note;
};

// Providers whose settings DNS does not announce, or announces without the OAuth2 hint.
constexpr std::array known_providers{
    known_provider{"gmail.com googlemail.com", "imap.gmail.com", true,
                   "Gmail wants OAuth2: use an oauth2_token_command such as `oama access "
                   "ADDRESS` (or an app password with password_command)"},
    known_provider{"outlook.com hotmail.com live.com msn.com", "outlook.office365.com", true,
                   "Outlook.com accepts only OAuth2: use an oauth2_token_command such as "
                   "`oama access ADDRESS` or `mutt_oauth2.py TOKENFILE`"},
    known_provider{"fastmail.com fastmail.fm messagingengine.com", "imap.fastmail.com", false,
                   "Fastmail needs an app password (Settings → Privacy & Security → "
                   "Integrations → App passwords)"},
    known_provider{"icloud.com me.com mac.com", "imap.mail.me.com", false,
                   "iCloud needs an app-specific password (appleid.apple.com)"},
    known_provider{"yahoo.com", "imap.mail.yahoo.com", false,
                   "Yahoo needs an app password (account security settings)"},
    known_provider{"posteo.de posteo.net", "posteo.de", false, ""},
    known_provider{"mailbox.org", "imap.mailbox.org", false, ""},
    known_provider{"gmx.de gmx.net gmx.at gmx.ch", "imap.gmx.net", false,
                   "GMX: enable IMAP/POP3 access in the web settings first"},
    known_provider{"web.de", "imap.web.de", false,
                   "WEB.DE: enable IMAP/POP3 access in the web settings first"},
};

bool lists_domain(std::string_view domains, std::string_view domain) {
    while (!domains.empty()) {
        const auto space = domains.find(' ');
        if (domains.substr(0, space) == domain)
            return true;
        if (space == std::string_view::npos)
            break;
        domains.remove_prefix(space + 1);
    }
    return false;
}

class proposal_list {
public:
    void add(server_proposal p) {
        const bool known = std::any_of(list_.begin(), list_.end(), [&](const server_proposal& q) {
            return q.kind == p.kind && q.host == p.host && q.port == p.port;
        });
        if (!known)
            list_.push_back(std::move(p));
    }
    std::vector<server_proposal> take() {
        // IMAP first; within a kind, the order of discovery (most trustworthy first).
        std::stable_partition(list_.begin(), list_.end(),
                              [](const server_proposal& p) { return p.kind == server_kind::imap; });
        return std::move(list_);
    }

private:
    std::vector<server_proposal> list_;
};

} // namespace

std::vector<server_proposal> propose_servers(std::string_view domain, net::name_lookup& dns) {
    proposal_list proposals;
    for (const auto& provider : known_providers)
        if (lists_domain(provider.domains, domain))
            proposals.add({server_kind::imap, std::string(provider.imap_host), 993,
                           tls_mode::implicit, "known provider", provider.oauth2,
                           std::string(provider.note)});

    // RFC 6186 §3: _imaps/_pop3s are implicit TLS; _imap/_pop3 we use only with STARTTLS.
    struct service {
        std::string_view label;
        server_kind kind;
        tls_mode tls;
    };
    constexpr std::array services{service{"_imaps", server_kind::imap, tls_mode::implicit},
                                  service{"_imap", server_kind::imap, tls_mode::starttls},
                                  service{"_pop3s", server_kind::pop3, tls_mode::implicit},
                                  service{"_pop3", server_kind::pop3, tls_mode::starttls}};
    for (const auto& s : services) {
        const auto name = fmt::format("{}._tcp.{}", s.label, domain);
        for (const auto& record : dns.srv(name))
            if (!record.target.empty() && record.port != 0) // "." means: not offered
                proposals.add({s.kind, record.target, record.port, s.tls,
                               fmt::format("DNS SRV {}", name), false, ""});
    }

    struct guess {
        std::string_view prefix;
        server_kind kind;
    };
    constexpr std::array guesses{
        guess{"imap.", server_kind::imap}, guess{"mail.", server_kind::imap},
        guess{"pop.", server_kind::pop3}, guess{"pop3.", server_kind::pop3}};
    for (const auto& g : guesses) {
        auto host = fmt::format("{}{}", g.prefix, domain);
        if (dns.resolves(host))
            proposals.add({g.kind, std::move(host),
                           config::default_port(g.kind, tls_mode::implicit), tls_mode::implicit,
                           "common host name", false, ""});
    }
    return proposals.take();
}

std::string describe(const server_proposal& p) {
    return fmt::format("{}:{} ({}, {}; {})", p.host, p.port,
                       p.kind == server_kind::imap ? "IMAP" : "POP3",
                       p.tls == tls_mode::implicit ? "implicit TLS" : "STARTTLS", p.source);
}

} // namespace postfach
