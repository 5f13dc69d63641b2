#pragma once
// Parsing of postfach's command line (design.md §1) with Boost.Program_options.
// Global options come before the command; each command has its own options and --help.

#include "daemon/init_command.hpp"
#include "util/logging.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace postfach {

enum class command_kind { none, check, sync, daemon, status, migrate, init };

struct command_line {
    command_kind command = command_kind::none;
    std::optional<std::filesystem::path> config_file; // --config; default from XDG
    logging::verbosity verbosity = logging::verbosity::normal;
    std::vector<std::string> accounts;  // --account NAME, repeatable
    bool dry_run = false;               // sync --dry-run
    bool force = false;                 // sync --force
    std::filesystem::path from_maildir; // migrate --from-maildir
    init_request init;                  // init's answers given as options
    bool json = false;                  // status --json

    // Set when parsing already produced the whole answer (help, version or a usage error):
    std::optional<int> finished_exit_code;
    std::string output; // to stdout (help, version)
    std::string error;  // to stderr (usage errors)
};

command_line parse_command_line(int argc, const char* const argv[]);

// The commands of the command table, in its order (for man page and completion tests).
std::vector<std::string> command_names();

} // namespace postfach
