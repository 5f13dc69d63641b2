#include "daemon/init_command.hpp"

#include "config/config_loader.hpp"
#include "config/config_writer.hpp"
#include "daemon/check_command.hpp"
#include "daemon/exit_code.hpp"
#include "daemon/server_discovery.hpp"
#include "util/atomic_file.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <fmt/format.h>
#include <fmt/ostream.h>

namespace postfach {

namespace {

namespace fs = std::filesystem;
using config::secret_source;
using config::server_kind;
using config::tls_mode;

// Reads one enum value by its config spelling (to_string), so the CLI accepts exactly what
// the configuration file does.
template <typename Enum, std::size_t N>
std::optional<Enum> parse_choice(const std::string& text, const std::array<Enum, N>& values) {
    for (const auto v : values)
        if (config::to_string(v) == text)
            return v;
    return std::nullopt;
}

bool valid_account_name(const std::string& name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::islower(c) || std::isdigit(c) || c == '_' || c == '-';
    });
}

// "mail.example.co.uk" → "example"; an account name the loader accepts.
std::string name_from_domain(const std::string& domain) {
    auto label = domain.substr(0, domain.find('.'));
    for (auto& c : label) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!valid_account_name(std::string(1, c)))
            c = '-';
    }
    return label.empty() ? "mail" : label;
}

std::string trim(std::string s) {
    const auto not_space = [](unsigned char c) {
        return !std::isspace(c);
    };
    s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
    s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
    return s;
}

// Asks the questions the options did not answer.
class dialogue {
public:
    dialogue(bool interactive, std::istream& in, std::ostream& out, std::ostream& err)
        : interactive_(interactive)
        , in_(in)
        , out_(out)
        , err_(err) {}

    // The option's value; else the user's answer (the default on an empty line); else, without
    // a user, the default; else nothing, after telling which option to pass.
    std::optional<std::string> answer(const std::optional<std::string>& given,
                                      std::string_view question, const std::string& fallback,
                                      std::string_view option) {
        if (given)
            return given;
        if (interactive_) {
            if (fallback.empty())
                fmt::print(out_, "{}: ", question);
            else
                fmt::print(out_, "{} [{}]: ", question, fallback);
            out_.flush();
            std::string line;
            if (std::getline(in_, line)) {
                line = trim(line);
                if (!line.empty())
                    return line;
                if (!fallback.empty())
                    return fallback;
            }
        } else if (!fallback.empty()) {
            return fallback;
        }
        fmt::print(err_, "postfach init: no answer for \"{}\"; pass {}\n", question, option);
        return std::nullopt;
    }

    [[nodiscard]] bool interactive() const { return interactive_; }

private:
    bool interactive_;
    std::istream& in_;
    std::ostream& out_;
    std::ostream& err_;
};

int usage_error(std::ostream& err, const std::string& message) {
    fmt::print(err, "postfach init: {}\n", message);
    return to_int(exit_code::usage_or_config);
}

// The server from --host/--port/--tls, or the user's pick among the discovered ones.
std::optional<server_proposal> choose_server(const init_request& request, const std::string& domain,
                                             std::optional<server_kind> only_kind,
                                             net::name_lookup& dns, dialogue& ask,
                                             std::ostream& out, std::ostream& err) {
    if (request.host) {
        server_proposal given;
        given.kind = only_kind.value_or(server_kind::imap);
        given.host = *request.host;
        given.tls = tls_mode::implicit;
        if (request.tls) {
            const auto tls =
                parse_choice(*request.tls, std::array{tls_mode::implicit, tls_mode::starttls});
            if (!tls) {
                usage_error(err,
                            fmt::format("--tls {}: expected implicit or starttls", *request.tls));
                return std::nullopt;
            }
            given.tls = *tls;
        }
        given.port = request.port.value_or(config::default_port(given.kind, given.tls));
        given.source = "given on the command line";
        return given;
    }
    fmt::print(out, "Looking for the mail servers of {} ...\n", domain);
    auto proposals = propose_servers(domain, dns);
    if (only_kind)
        std::erase_if(proposals, [&](const server_proposal& p) { return p.kind != *only_kind; });
    if (proposals.empty()) {
        usage_error(err, fmt::format("found no mail server for {} (not a known provider, no DNS "
                                     "SRV records, no imap./mail./pop. host); pass --host HOST "
                                     "(and --port N, --tls implicit|starttls if not 993/implicit)",
                                     domain));
        return std::nullopt;
    }
    for (std::size_t i = 0; i < proposals.size(); ++i)
        fmt::print(out, "  {}) {}\n", i + 1, describe(proposals[i]));
    std::size_t pick = 0;
    if (ask.interactive() && proposals.size() > 1) {
        const auto choice = ask.answer(std::nullopt, "Use which server", "1", "--host");
        if (!choice)
            return std::nullopt;
        std::size_t number = 0;
        const auto parsed =
            std::from_chars(choice->data(), choice->data() + choice->size(), number);
        if (parsed.ec != std::errc() || number < 1 || number > proposals.size()) {
            usage_error(err, fmt::format("'{}' is not one of 1 to {}", *choice, proposals.size()));
            return std::nullopt;
        }
        pick = number - 1;
    }
    const auto& chosen = proposals[pick];
    fmt::print(out, "Using {}\n", describe(chosen));
    if (!chosen.provider_note.empty())
        fmt::print(out, "Note: {}\n", chosen.provider_note);
    return chosen;
}

} // namespace

int run_init(const init_request& request, const fs::path& config_file,
             const config::environment_lookup& env, net::name_lookup& dns, std::istream& in,
             std::ostream& out, std::ostream& err) {
    dialogue ask(!request.non_interactive, in, out, err);
    const auto usage = to_int(exit_code::usage_or_config);

    std::error_code exists_ec;
    if (fs::exists(config_file, exists_ec) && !request.force)
        return usage_error(err, fmt::format("{} exists and init does not change it; pass "
                                            "--config NEW_FILE to write another one, or --force "
                                            "to replace it",
                                            config_file.string()));

    const auto email = ask.answer(request.email, "E-mail address", "", "--email ADDRESS");
    if (!email)
        return usage;
    const auto at = email->rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 == email->size() ||
        email->find_first_of(" \t") != std::string::npos)
        return usage_error(err, fmt::format("'{}' is not an e-mail address (user@domain)", *email));
    std::string domain = email->substr(at + 1);
    std::transform(domain.begin(), domain.end(), domain.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });

    config::account_draft draft;
    std::optional<server_kind> only_kind;
    if (request.protocol) {
        const auto protocol =
            parse_choice(*request.protocol,
                         std::array{config::protocol_kind::auto_detect, config::protocol_kind::imap,
                                    config::protocol_kind::pop3});
        if (!protocol)
            return usage_error(
                err, fmt::format("--protocol {}: expected auto, imap or pop3", *request.protocol));
        draft.protocol = *protocol;
        if (*protocol == config::protocol_kind::imap)
            only_kind = server_kind::imap;
        if (*protocol == config::protocol_kind::pop3)
            only_kind = server_kind::pop3;
    }
    const auto server = choose_server(request, domain, only_kind, dns, ask, out, err);
    if (!server)
        return usage;
    if (!request.protocol)
        draft.protocol = server->kind == server_kind::imap ? config::protocol_kind::imap
                                                           : config::protocol_kind::pop3;
    draft.server = server->kind;
    draft.host = server->host;
    draft.tls = server->tls;
    draft.port = server->port == config::default_port(server->kind, server->tls) ? 0 : server->port;
    draft.ca_file = request.ca_file;

    const auto name =
        ask.answer(request.name, "Account name", name_from_domain(domain), "--name NAME");
    if (!name)
        return usage;
    if (!valid_account_name(*name))
        return usage_error(err,
                           fmt::format("account name '{}': use only a-z, 0-9, _ and -", *name));
    draft.name = *name;
    const auto user = ask.answer(request.user, "User name on the server", *email, "--user USER");
    if (!user)
        return usage;
    draft.user = *user;

    const int secrets = int(request.password_command.has_value()) +
                        int(request.password_file.has_value()) +
                        int(request.oauth2_token_command.has_value());
    if (secrets > 1)
        return usage_error(err, "give only one of --password-command, --password-file and "
                                "--oauth2-token-command");
    if (request.password_file) {
        draft.secret = secret_source::kind::password_file;
        draft.secret_value = *request.password_file;
    } else if (request.oauth2_token_command || (secrets == 0 && server->oauth2)) {
        draft.secret = secret_source::kind::oauth2_token_command;
        const auto command = ask.answer(
            request.oauth2_token_command, "Command that prints an OAuth2 access token",
            ask.interactive() ? "oama access " + *email : "", "--oauth2-token-command CMD");
        if (!command)
            return usage;
        draft.secret_value = *command;
    } else {
        draft.secret = secret_source::kind::password_command;
        // The password itself is never asked for: it would end up in the file.
        const auto command =
            ask.answer(request.password_command, "Command that prints the password",
                       ask.interactive() ? "pass show mail/" + draft.name : "",
                       "--password-command CMD or --password-file FILE");
        if (!command)
            return usage;
        draft.secret_value = *command;
    }

    const auto maildir =
        ask.answer(request.maildir, "Maildir", "~/Mail/" + draft.name, "--maildir DIR");
    if (!maildir)
        return usage;
    draft.maildir = *maildir;
    if (request.layout) {
        const auto layout =
            parse_choice(*request.layout, std::array{config::layout_kind::maildir_plus_plus,
                                                     config::layout_kind::verbatim});
        if (!layout)
            return usage_error(
                err, fmt::format("--layout {}: expected maildir++ or verbatim", *request.layout));
        draft.layout = *layout;
    }

    const auto text = config::render_config(
        {draft}, "postfach configuration, written by `postfach init`; every key is described in "
                 "postfach.yaml(5)");
    // What init writes must load: the loader is the one judge of a configuration.
    const auto loaded = config::load_config_text(text, config_file, env);
    if (!loaded.config) {
        for (const auto& e : loaded.errors)
            fmt::print(err, "{}\n", e.to_string());
        return usage_error(err, "these settings do not make a valid configuration; nothing was "
                                "written");
    }

    if (!request.no_check) {
        fmt::print(out, "Checking the settings (as `postfach check` does):\n");
        const int checked = run_check(*loaded.config, {draft.name}, out, err);
        if (checked != 0) {
            fmt::print(err,
                       "postfach init: the check failed (see above); nothing was written. Fix "
                       "the setting and run init again, or pass --no-check to write it anyway\n");
            return checked;
        }
    }
    if (auto ec = util::write_file_atomically(config_file, text)) {
        fmt::print(err,
                   "postfach init: cannot write {}: {}; pass --config FILE to write it "
                   "elsewhere\n",
                   config_file.string(), ec.message());
        return to_int(exit_code::partial_failure);
    }
    fmt::print(out,
               "Wrote {} (mode 0600).\n"
               "Next:\n"
               "  postfach sync                 # the first sync into {}\n"
               "  mutt -f {}                    # read it\n"
               "  systemctl --user enable --now postfach.service   # keep it in sync\n",
               config_file.string(), draft.maildir, draft.maildir);
    return to_int(exit_code::ok);
}

} // namespace postfach
