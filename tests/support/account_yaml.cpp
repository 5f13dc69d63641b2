#include "tests/support/account_yaml.hpp"

#include <fmt/format.h>

namespace postfach::test {

namespace {

// "    imap:" or "    pop3:" with the connection keys of a fixture user.
std::string server_block(const dovecot_server& server, const fixture_account& account,
                         const char* kind, std::uint16_t port) {
    const auto password =
        account.password.empty() ? server.user(account.user).password : account.password;
    return fmt::format("    {}:\n"
                       "      host: localhost\n"
                       "      port: {}\n"
                       "      ca_file: {}\n"
                       "      user: {}\n"
                       "      password: \"{}\"\n",
                       kind, port, server.ca_file().string(), account.user, password);
}

} // namespace

std::string account_yaml(const dovecot_server& server, const fixture_account& account) {
    std::string text = fmt::format("  - name: {}\n"
                                   "    maildir: {}\n",
                                   account.name, account.maildir.string());
    if (!account.layout.empty())
        text += fmt::format("    layout: {}\n", account.layout);
    text += fmt::format("    protocol: {}\n", account.protocol);
    if (account.exclude_trash)
        text += "    folders:\n"
                "      exclude: [Trash]\n";
    for (const auto& line : account.account_lines)
        text += "    " + line + "\n";
    if (account.imap) {
        text += server_block(server, account, "imap",
                             account.port == 0 ? server.imaps_port() : account.port);
        for (const auto& line : account.imap_lines)
            text += "      " + line + "\n";
    }
    if (account.pop3_port)
        text += server_block(server, account, "pop3",
                             *account.pop3_port == 0 ? server.pop3s_port() : *account.pop3_port);
    return text;
}

std::string config_yaml(const std::filesystem::path& state_dir,
                        const std::vector<std::string>& accounts) {
    std::string text = fmt::format("state_dir: {}\naccounts:\n", state_dir.string());
    for (const auto& a : accounts)
        text += a;
    return text;
}

} // namespace postfach::test
