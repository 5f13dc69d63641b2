#pragma once
// Config text for accounts on the fixture Dovecot, as the integration tests write them: one
// place that knows the keys, so a test states only what is particular to it.

#include "tests/fixture/dovecot_server.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace postfach::test {

struct fixture_account {
    std::string name = "work";
    std::filesystem::path maildir;
    std::string layout; // empty: the default layout
    std::string protocol = "imap";
    bool imap = true;                       // write an imap block
    std::uint16_t port = 0;                 // of the imap block; 0: the fixture's IMAPS port
    std::optional<std::uint16_t> pop3_port; // write a pop3 block; 0: the fixture's POP3S port
    std::string user = "alice";             // a fixture user
    std::string password;                   // empty: the fixture user's password
    bool exclude_trash = true;              // folders: exclude: [Trash]
    std::vector<std::string> account_lines; // more lines of the account ("idle: false"; nested
                                            // keys indented relative to the account)
    std::vector<std::string> imap_lines;    // more lines of its imap block ("timeout: 3s")
};

// One "  - name: ..." entry of the accounts list.
std::string account_yaml(const dovecot_server& server, const fixture_account& account);

// A whole config: state_dir and the given account entries.
std::string config_yaml(const std::filesystem::path& state_dir,
                        const std::vector<std::string>& accounts);

} // namespace postfach::test
