#pragma once
// `postfach init`: the first contact. Asks for the e-mail address, proposes server settings
// from the domain (daemon/server_discovery.hpp), asks how to get the password (a command or a
// file; a password itself is never written), checks the settings against the server like
// `postfach check`, and only then writes the configuration (mode 0600, atomically).
//
// Every answer can be given as an option; with --non-interactive nothing is asked and a missing
// answer is a usage error naming the option. Without it, questions are read from `in` (a
// closed stdin counts as "no answer"). An existing configuration file is never overwritten
// without --force: the new account is printed instead, to be added by hand.

#include "config/path_expansion.hpp"
#include "net/name_lookup.hpp"

#include <cstdint>
#include <filesystem>
#include <istream>
#include <optional>
#include <ostream>
#include <string>

namespace postfach {

struct init_request {
    std::optional<std::string> email;
    std::optional<std::string> name;
    std::optional<std::string> maildir;
    std::optional<std::string> layout;   // maildir++ | verbatim
    std::optional<std::string> protocol; // auto | imap | pop3
    std::optional<std::string> host;
    std::optional<std::uint16_t> port;
    std::optional<std::string> tls; // implicit | starttls
    std::optional<std::string> ca_file;
    std::optional<std::string> user;
    std::optional<std::string> password_command;
    std::optional<std::string> password_file;
    std::optional<std::string> oauth2_token_command;
    bool non_interactive = false;
    bool no_check = false;
    bool force = false;
};

int run_init(const init_request& request, const std::filesystem::path& config_file,
             const config::environment_lookup& env, net::name_lookup& dns, std::istream& in,
             std::ostream& out, std::ostream& err);

} // namespace postfach
