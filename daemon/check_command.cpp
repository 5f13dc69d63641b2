#include "daemon/check_command.hpp"

#include "daemon/account_selection.hpp"
#include "daemon/check_failure.hpp"
#include "daemon/exit_code.hpp"
#include "daemon/imap_check.hpp"
#include "daemon/pop3_account_pass.hpp"
#include "daemon/pop3_check.hpp"
#include "daemon/protocol_fallback.hpp"
#include "net/tls_session_info.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <string_view>

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

// Code points, which fmt pads by: folder names are UTF-8.
std::size_t display_width(std::string_view utf8) {
    return static_cast<std::size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xc0) != 0x80;
    }));
}

// Folder names are the server's: no control characters (terminal escapes) reach the terminal.
std::string printable(std::string_view name) {
    std::string out(name);
    for (auto& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = '?';
    return out;
}

std::string describe_folder(const imap::folder_info& f) {
    std::string counts;
    if (!f.selectable)
        counts = "(not selectable)";
    else if (!f.messages)
        counts = "(no counts)";
    else
        counts = fmt::format("{} message{}", *f.messages, *f.messages == 1 ? "" : "s");
    if (f.unseen && *f.unseen > 0)
        counts += fmt::format(", {} unseen", *f.unseen);
    // Special-use attributes (RFC 6154) tell what the folder is for.
    std::vector<std::string> uses;
    for (const auto& a : f.attributes)
        for (const char* use :
             {"\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash"})
            if (a == use)
                uses.push_back(a);
    if (!uses.empty())
        counts += fmt::format(" ({})", fmt::join(uses, " "));
    return counts;
}

// The lines every protocol's check starts with: where it connected, TLS, login, capabilities.
// Report is imap_check_report or pop3_check_report.
template <typename Report>
void print_session_lines(const config::server_config& server, const Report& report,
                         std::string_view protocol_note, std::string_view capability_separator,
                         std::ostream& out) {
    if (!report.peer_address.empty())
        fmt::print(out, "  connected {} at {} port {}{}\n", server.host, report.peer_address,
                   server.port, protocol_note);
    if (report.tls)
        fmt::print(out, "  tls       {}\n", net::describe(*report.tls));
    else if (!report.authentication.empty())
        fmt::print(out, "  tls       none (tls: none)\n");
    if (!report.authentication.empty())
        fmt::print(out, "  login     {} with {}\n", server.user, report.authentication);
    if (!report.capabilities.empty())
        fmt::print(out, "  server    {}\n", fmt::join(report.capabilities, capability_separator));
}

// Prints what the check of the account's IMAP server found. Returns the exit code of this
// account: ok, partial_failure (the user must fix something) or temporary_failure.
exit_code print_imap_check(const config::account_config& a, const config::server_config& server,
                           const imap_check_report& report, std::ostream& out, std::ostream& err) {
    print_session_lines(server, report, "", " ", out);
    if (report.folders) {
        std::size_t width = 0;
        for (const auto& f : *report.folders)
            width = std::max(width, display_width(printable(f.name)));
        fmt::print(out, "  mailboxes {}\n", report.folders->size());
        for (const auto& f : *report.folders)
            fmt::print(out, "    {:<{}}  {}\n", printable(f.name), width, describe_folder(f));
    }
    if (!report.error) {
        fmt::print(out, "  result    ok, logged out\n");
        return exit_code::ok;
    }
    const auto failure =
        describe_check_failure(server, report.step, report.error, report.diagnostics);
    fmt::print(out, "  result    failed (the reason is on stderr)\n");
    fmt::print(err, "postfach: account {}: {}\n", a.name, failure.line);
    return failure.transient ? exit_code::temporary_failure : exit_code::partial_failure;
}

// Connects to the account's POP3 server and prints what it found; the exit code as check_imap.
exit_code check_pop3(const config::account_config& a, const config::server_config& server,
                     std::ostream& out, std::ostream& err) {
    const auto report = check_pop3_server(server, a.name);
    print_session_lines(server, report, " (POP3)", ", ", out);
    if (report.messages)
        fmt::print(out, "  maildrop  {} message{} ({:.1f} MB), fetched into INBOX\n",
                   *report.messages, *report.messages == 1 ? "" : "s",
                   static_cast<double>(report.bytes) / 1e6);
    if (!report.error) {
        fmt::print(out, "  result    ok, logged out\n");
        return exit_code::ok;
    }
    fmt::print(out, "  result    failed (the reason is on stderr)\n");
    fmt::print(err, "postfach: account {}: {}\n", a.name, report.failure.line);
    return report.failure.transient ? exit_code::temporary_failure : exit_code::partial_failure;
}

// IMAP, and for protocol auto POP3 when the server has no IMAP service (protocol_fallback.hpp),
// which the output says.
exit_code check_imap(const config::account_config& a, std::ostream& out, std::ostream& err) {
    std::vector<std::string> no_imap;
    for (const auto& server : imap_attempts(a)) {
        const auto report = check_imap_server(server, a.name);
        if (report.error && a.protocol == config::protocol_kind::auto_detect &&
            is_no_imap_service(report.step, report.error)) {
            no_imap.push_back(fmt::format("{}:{}: {}", server.host, server.port,
                                          report.diagnostics.empty() ? report.error.message()
                                                                     : report.diagnostics));
            continue;
        }
        return print_imap_check(a, server, report, out, err);
    }
    const auto pop3 = pop3_server_of(a);
    fmt::print(out, "  fallback  {}\n", describe_fallback(no_imap, pop3));
    return check_pop3(a, pop3, out, err);
}

} // namespace

int run_check(const config::configuration& cfg, const std::vector<std::string>& account_names,
              std::ostream& out, std::ostream& err) {
    std::vector<const config::account_config*> selected;
    if (!select_accounts(cfg, account_names, err, selected))
        return to_int(exit_code::usage_or_config);

    exit_code result = exit_code::ok;
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
        out.flush(); // the configuration first, then the protocol trace of --verbose
        const auto account_result = a->protocol == config::protocol_kind::pop3 || !a->imap
                                        ? check_pop3(*a, pop3_server_of(*a), out, err)
                                        : check_imap(*a, out, err);
        // Something the user must fix outranks trouble that may pass.
        if (account_result == exit_code::partial_failure ||
            (account_result == exit_code::temporary_failure && result == exit_code::ok))
            result = account_result;
    }
    return to_int(result);
}

} // namespace postfach
