#include "tests/support/account_yaml.hpp"

#include <fmt/format.h>

namespace postfach::test {

std::string account_yaml(const dovecot_server& server, const imap_account_yaml& account) {
    std::string text = fmt::format("  - name: {}\n"
                                   "    maildir: {}\n",
                                   account.name, account.maildir.string());
    if (!account.layout.empty())
        text += fmt::format("    layout: {}\n", account.layout);
    text += "    protocol: imap\n";
    if (account.exclude_trash)
        text += "    folders:\n"
                "      exclude: [Trash]\n";
    for (const auto& line : account.account_lines)
        text += "    " + line + "\n";
    text +=
        fmt::format("    imap:\n"
                    "      host: localhost\n"
                    "      port: {}\n"
                    "      ca_file: {}\n"
                    "      user: {}\n"
                    "      password: \"{}\"\n",
                    account.port == 0 ? server.imaps_port() : account.port,
                    server.ca_file().string(), account.user, server.user(account.user).password);
    for (const auto& line : account.imap_lines)
        text += "      " + line + "\n";
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
