#include "daemon/check_command.hpp"

#include "daemon/exit_code.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace postfach {

namespace {

std::string describe_server(const config::server_config& s) {
    std::string secret;
    switch (s.secret.source) {
    case config::secret_source::kind::password:
        secret = "password in the config file";
        break;
    case config::secret_source::kind::password_file:
        secret = fmt::format("password_file {}", s.secret.file.string());
        break;
    case config::secret_source::kind::password_command:
    case config::secret_source::kind::oauth2_token_command:
        secret = fmt::format("{} {}", config::to_string(s.secret.source),
                             fmt::join(s.secret.command, " "));
        break;
    }
    std::string tls = s.tls == config::tls_mode::implicit   ? "implicit TLS"
                      : s.tls == config::tls_mode::starttls ? "STARTTLS"
                                                            : "no TLS";
    if (s.ca_file)
        tls += fmt::format(", CA {}", s.ca_file->string());
    return fmt::format("{}:{} ({}), user {}, secret from {}", s.host, s.port, tls, s.user, secret);
}

} // namespace

int run_check(const config::configuration& cfg, const std::vector<std::string>& account_names,
              std::ostream& out, std::ostream& err) {
    std::vector<const config::account_config*> selected;
    for (const auto& name : account_names) {
        const auto* account = cfg.find_account(name);
        if (account == nullptr) {
            std::vector<std::string> known;
            for (const auto& a : cfg.accounts)
                known.push_back(a.name);
            fmt::print(err, "postfach: no account named '{}' in {}; accounts there: {}\n", name,
                       cfg.source.string(), fmt::join(known, ", "));
            return to_int(exit_code::usage_or_config);
        }
        selected.push_back(account);
    }
    if (selected.empty())
        for (const auto& a : cfg.accounts)
            selected.push_back(&a);

    fmt::print(out, "{}: configuration is valid ({} account{}), state in {}\n", cfg.source.string(),
               cfg.accounts.size(), cfg.accounts.size() == 1 ? "" : "s", cfg.state_dir.string());
    for (const auto* a : selected) {
        fmt::print(out, "\naccount {}\n", a->name);
        fmt::print(out, "  maildir   {} ({})\n", a->maildir.string(), config::to_string(a->layout));
        fmt::print(out, "  protocol  {}\n", config::to_string(a->protocol));
        if (a->imap)
            fmt::print(out, "  imap      {}\n", describe_server(*a->imap));
        if (a->pop3)
            fmt::print(out, "  pop3      {}\n", describe_server(*a->pop3));
        else if (a->protocol == config::protocol_kind::auto_detect && a->imap)
            fmt::print(out, "  pop3      {} (fallback, derived from the imap block)\n",
                       describe_server(config::derive_pop3_from_imap(*a->imap)));
        fmt::print(out, "  sync      direction {}, expunge {}, deletion guard at {:.0f}%\n",
                   config::to_string(a->sync.direction), config::to_string(a->sync.expunge),
                   a->sync.max_delete_fraction * 100);
        fmt::print(out, "  folders   include {}{}\n", fmt::join(a->folders.include, ", "),
                   a->folders.exclude.empty()
                       ? std::string()
                       : fmt::format(", exclude {}", fmt::join(a->folders.exclude, ", ")));
    }
    fmt::print(out, "\nnote: this version checks the configuration only; it does not connect to "
                    "the servers yet.\n");
    return to_int(exit_code::ok);
}

} // namespace postfach
