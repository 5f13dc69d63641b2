#pragma once
// Writes the YAML text of a new configuration (design.md §2), for `postfach init`. The text is
// emitted by yaml-cpp, so any value (a command with quotes, a non-ASCII path) is quoted
// correctly; the caller loads it back through the loader before writing it anywhere.

#include "config/config.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace postfach::config {

// One account as init knows it: values as the user wrote them (paths keep their `~`).
struct account_draft {
    std::string name;
    std::string maildir;
    layout_kind layout = layout_kind::maildir_plus_plus;
    protocol_kind protocol = protocol_kind::auto_detect;
    server_kind server = server_kind::imap; // which block the settings below go into
    std::string host;
    std::uint16_t port = 0; // 0: left out (the default for the TLS mode)
    tls_mode tls = tls_mode::implicit;
    std::optional<std::string> ca_file;
    std::string user;
    secret_source::kind secret = secret_source::kind::password_command;
    std::string secret_value; // the command or the file; never a password
};

std::string render_config(const std::vector<account_draft>& accounts, const std::string& comment);

} // namespace postfach::config
