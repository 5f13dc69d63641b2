#include "daemon/command_line.hpp"

#include "daemon/exit_code.hpp"
#include "daemon/version.hpp"

#include <algorithm>
#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <sstream>
#include <string_view>

namespace po = boost::program_options;

namespace postfach {

namespace {

constexpr const char* usage_line =
    "Usage: postfach [--config FILE] [--verbose|--quiet] COMMAND [ARGS]\n";

constexpr const char* commands_text =
    "Commands:\n"
    "  sync  [--account NAME]... [--dry-run] [--force]\n"
    "                              one two-way pass over every folder, then exit\n"
    "  check [--account NAME]...   validate the configuration, connect to each account's\n"
    "                              server, log in, show TLS, capabilities and folders\n"
    "  status [--account NAME]... [--json]\n"
    "                              per account and folder: messages, unseen, last pass, last\n"
    "                              error, connection state\n"
    "\n"
    "Run 'postfach COMMAND --help' for a command's options.\n";

po::options_description global_options() {
    po::options_description opts("Global options");
    opts.add_options()("help,h", "show this help and exit")("version,V",
                                                            "show the version and exit")(
        "config,c", po::value<std::string>()->value_name("FILE"),
        "configuration file (default: $XDG_CONFIG_HOME/postfach/config.yaml)")(
        "verbose,v", "log more, including protocol traces (credentials are redacted)")(
        "quiet,q", "log only warnings and errors");
    return opts;
}

// A command: its options and the text of its --help.
struct command_spec {
    const char* name;
    command_kind kind;
    const char* usage;
    const char* description;
    bool has_sync_options;
    bool has_json_option = false;
};

constexpr command_spec commands[] = {
    {"check", command_kind::check, "check [--account NAME]...",
     "Validates the configuration, then connects to each selected account's server: TLS\n"
     "(version, certificate), login, capabilities, folders with message counts; then logs out.\n"
     "Exit status: 0 all fine; 1 an account needs a fix (the line says what); 2 the\n"
     "configuration is invalid (every problem is listed as file:line:col); 75 the network or\n"
     "the server was unavailable (worth retrying).\n",
     false},
    {"sync", command_kind::sync, "sync [--account NAME]... [--dry-run] [--force]",
     "One two-way pass over every folder of the selected accounts, then exit: new mail,\n"
     "flags, deletions, moves and folders go both ways (design: three-way against the last\n"
     "pass). --dry-run prints the plan and changes nothing.\n"
     "Exit status: 0 all in sync; 1 a folder or account failed (the others were synced);\n"
     "2 usage or configuration error; 3 another postfach holds an account's lock; 4 the\n"
     "deletion guard held back deletions (run again with --force if they are intended);\n"
     "75 the network or the server was unavailable (worth retrying).\n",
     true},
    {"status", command_kind::status, "status [--account NAME]... [--json]",
     "Shows per account and folder: messages and unseen messages in the local folder, the last\n"
     "successful pass, the last error, and the connection state (offline, connecting, syncing,\n"
     "idle, backoff). Reads the state read-only: works while another postfach syncs.\n"
     "--json prints one JSON document (its format is documented in the README).\n"
     "Exit status: 0 shown; 1 an account's state could not be read; 2 usage or configuration\n"
     "error.\n",
     false, true},
};

po::options_description command_options(const command_spec& spec) {
    po::options_description opts(fmt::format("Options of '{}'", spec.name));
    opts.add_options()("help,h", "show this help and exit")(
        "account,a", po::value<std::vector<std::string>>()->value_name("NAME"),
        "only this account (repeatable)");
    if (spec.has_sync_options)
        opts.add_options()("dry-run,n", "print what would be done; change nothing")(
            "force", "let deletions through that the deletion guard would hold back");
    if (spec.has_json_option)
        opts.add_options()("json", "print JSON instead of a table");
    return opts;
}

std::string to_text(const po::options_description& opts) {
    std::ostringstream out;
    out << opts;
    return out.str();
}

command_line usage_error(command_line result, const std::string& message) {
    result.error = fmt::format("postfach: {}\n{}Run 'postfach --help' for the commands.\n", message,
                               usage_line);
    result.finished_exit_code = to_int(exit_code::usage_or_config);
    return result;
}

} // namespace

std::vector<std::string> command_names() {
    std::vector<std::string> names;
    for (const auto& c : commands)
        names.emplace_back(c.name);
    return names;
}

command_line parse_command_line(int argc, const char* const argv[]) {
    command_line result;
    auto globals = global_options();

    // Global options end at the first word that is not an option: the command. What follows
    // belongs to the command, so `postfach check --help` is the command's help.
    int command_index = 1;
    while (command_index < argc) {
        const std::string_view arg = argv[command_index];
        if (arg == "--")
            return usage_error(std::move(result), "unexpected '--'");
        if (!arg.starts_with("-") || arg == "-")
            break;
        command_index += (arg == "--config" || arg == "-c") ? 2 : 1;
    }
    command_index = std::min(command_index, argc);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(command_index, argv).options(globals).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        return usage_error(std::move(result), e.what());
    }
    std::vector<std::string> command_arguments(argv + std::min(command_index + 1, argc),
                                               argv + argc);

    if (vm.count("help")) {
        result.output = fmt::format("{}\nKeeps local Maildirs in two-way sync with IMAP accounts "
                                    "(POP3 where an account has no IMAP).\n\n{}\n{}",
                                    usage_line, commands_text, to_text(globals));
        result.finished_exit_code = 0;
        return result;
    }
    if (vm.count("version")) {
        result.output = fmt::format("postfach {}\n", version);
        result.finished_exit_code = 0;
        return result;
    }
    if (vm.count("verbose") && vm.count("quiet"))
        return usage_error(std::move(result), "--verbose and --quiet exclude each other");
    if (vm.count("verbose"))
        result.verbosity = logging::verbosity::verbose;
    if (vm.count("quiet"))
        result.verbosity = logging::verbosity::quiet;
    if (vm.count("config"))
        result.config_file = vm["config"].as<std::string>();

    if (command_index >= argc)
        return usage_error(std::move(result), "no command given");
    const std::string command = argv[command_index];
    const auto* spec = std::find_if(std::begin(commands), std::end(commands),
                                    [&](const command_spec& c) { return command == c.name; });
    if (spec == std::end(commands))
        return usage_error(std::move(result), fmt::format("unknown command '{}'", command));
    result.command = spec->kind;

    auto opts = command_options(*spec);
    po::variables_map cvm;
    try {
        po::store(po::command_line_parser(command_arguments).options(opts).run(), cvm);
        po::notify(cvm);
    } catch (const po::error& e) {
        return usage_error(std::move(result), fmt::format("{}: {}", spec->name, e.what()));
    }
    if (cvm.count("help")) {
        result.output = fmt::format("Usage: postfach [--config FILE] {}\n\n{}\n{}", spec->usage,
                                    spec->description, to_text(opts));
        result.finished_exit_code = 0;
        return result;
    }
    if (cvm.count("account"))
        result.accounts = cvm["account"].as<std::vector<std::string>>();
    result.dry_run = cvm.count("dry-run") > 0;
    result.force = cvm.count("force") > 0;
    result.json = cvm.count("json") > 0;
    return result;
}

} // namespace postfach
