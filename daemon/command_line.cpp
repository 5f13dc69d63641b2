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
    "  daemon [--account NAME]...  run until SIGTERM: IDLE and inotify push changes both\n"
    "                              ways as they happen (SIGHUP reloads, SIGUSR1 syncs now)\n"
    "  check [--account NAME]...   validate the configuration, connect to each account's\n"
    "                              server, log in, show TLS, capabilities and folders\n"
    "  status [--account NAME]... [--json]\n"
    "                              per account and folder: messages, unseen, last pass, last\n"
    "                              error, connection state\n"
    "  migrate --account NAME --from-maildir DIR [--dry-run]\n"
    "                              upload a local Maildir (e.g. years of POP3 downloads) into\n"
    "                              the IMAP account, without duplicates\n"
    "  init  [--email ADDRESS] [...]\n"
    "                              propose server settings for an address, test them, write\n"
    "                              the configuration\n"
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
    bool is_migrate = false;
    bool has_json_option = false;
};

constexpr command_spec commands[] = {
    {"check", command_kind::check, "check [--account NAME]...",
     "Validates the configuration, then connects to each selected account's server: TLS\n"
     "(version, certificate), login, capabilities, folders with message counts; then logs out.\n"
     "Exit status: 0 all fine; 1 an account needs a fix (the line says what); 2 the\n"
     "configuration is invalid (every problem is listed as file:line:col); 75 the network or\n"
     "the server was unavailable (worth retrying).\n",
     false, false},
    {"sync", command_kind::sync, "sync [--account NAME]... [--dry-run] [--force]",
     "One two-way pass over every folder of the selected accounts, then exit: new mail,\n"
     "flags, deletions, moves and folders go both ways (design: three-way against the last\n"
     "pass). --dry-run prints the plan and changes nothing.\n"
     "Exit status: 0 all in sync; 1 a folder or account failed (the others were synced);\n"
     "2 usage or configuration error; 3 another postfach holds an account's lock; 4 the\n"
     "deletion guard held back deletions (run again with --force if they are intended);\n"
     "75 the network or the server was unavailable (worth retrying).\n",
     true, false},
    {"daemon", command_kind::daemon, "daemon [--account NAME]...",
     "Runs until SIGTERM: one pass per account at start, then a pass whenever something\n"
     "changes: new mail or changes in INBOX (IDLE), any change in the Maildir (inotify), and\n"
     "every poll_interval for the other folders (and servers without IDLE). Lost connections\n"
     "are opened again with backoff (1 s to 5 min). Logs to stderr (the journal under systemd).\n"
     "Signals: SIGTERM/SIGINT finish or cancel the pass in flight and exit 0 within 10 s;\n"
     "SIGHUP re-reads the configuration (an invalid one is reported and the old one kept);\n"
     "SIGUSR1 runs a full pass now. Under systemd (Type=notify) it reports READY, STATUS\n"
     "(one line per account state), RELOADING, STOPPING and WATCHDOG.\n"
     "Exit status: 0 after SIGTERM; 2 usage or configuration error; 3 another postfach\n"
     "holds the lock of every selected account; 1 no account could be started otherwise.\n",
     false, false},
    {"status", command_kind::status, "status [--account NAME]... [--json]",
     "Shows per account and folder: messages and unseen messages in the local folder, the last\n"
     "successful pass, the last error, and the connection state (offline, connecting, syncing,\n"
     "idle, backoff). Reads the state read-only: works while another postfach syncs.\n"
     "--json prints one JSON document (its format is documented in the README).\n"
     "Exit status: 0 shown; 1 an account's state could not be read; 2 usage or configuration\n"
     "error.\n",
     false, false, true},
    {"migrate", command_kind::migrate, "migrate --account NAME --from-maildir DIR [--dry-run]",
     "Uploads the mail of a local Maildir (any layout: Maildir++ when DIR has cur/, else one\n"
     "directory per folder) into the account's IMAP server, into the folders of the same\n"
     "names (created when missing), with the files' flags and dates (the Date header, else\n"
     "the file time). Messages the server already has (same size and header block, which\n"
     "holds the Message-ID) are skipped, so an interrupted run resumes and a second run\n"
     "uploads nothing. DIR is only read. --dry-run lists what would be uploaded.\n"
     "Exit status: 0 done; 1 something failed (run again to resume); 2 usage or\n"
     "configuration error; 3 another postfach holds the account's lock; 75 the network or\n"
     "the server was unavailable (worth retrying).\n",
     false, true},
    {"init", command_kind::init, "init [--email ADDRESS] [OPTIONS]",
     "First-time setup: asks for the e-mail address, proposes the server from the domain\n"
     "(known providers, DNS SRV records of RFC 6186, then imap./mail./pop. host names), asks\n"
     "for a command that prints the password (or an OAuth2 token), checks the settings against\n"
     "the server as `postfach check` does, and writes the configuration file (mode 0600) only\n"
     "when the check passed. Every question has an option; --non-interactive asks nothing.\n"
     "An existing configuration file is kept unless --force is given.\n"
     "Exit status: 0 written; 1, 75 as for check (nothing written); 2 an answer is missing or\n"
     "invalid, or the file exists.\n",
     false, false},
};

void add_init_options(po::options_description& opts) {
    const auto text = [](const char* name) {
        return po::value<std::string>()->value_name(name);
    };
    opts.add_options()("email", text("ADDRESS"), "the e-mail address")(
        "name", text("NAME"), "account name (default: from the domain)")(
        "host", text("HOST"), "the server (default: discovered from the domain)")(
        "port", po::value<std::uint16_t>()->value_name("N"),
        "the server's port (default: 993 IMAP, 995 POP3)")("tls", text("MODE"),
                                                           "implicit (default) or starttls")(
        "protocol", text("PROTOCOL"), "imap, pop3 or auto (default: what the server offers)")(
        "ca-file", text("FILE"), "trust this CA instead of the system's")(
        "user", text("USER"), "user name on the server (default: the address)")(
        "password-command", text("CMD"), "command that prints the password")(
        "password-file", text("FILE"), "file that holds the password (mode 0600)")(
        "oauth2-token-command", text("CMD"), "command that prints an OAuth2 access token")(
        "maildir", text("DIR"), "where the mail goes (default: ~/Mail/NAME)")(
        "layout", text("LAYOUT"), "maildir++ (default) or verbatim")(
        "non-interactive", "ask nothing; a missing answer is an error")(
        "no-check", "write the configuration without checking it against the server")(
        "force", "replace an existing configuration file");
}

init_request init_request_from(const po::variables_map& vm) {
    init_request r;
    const auto text = [&](const char* key, std::optional<std::string>& field) {
        if (vm.count(key))
            field = vm[key].as<std::string>();
    };
    text("email", r.email);
    text("name", r.name);
    text("host", r.host);
    text("tls", r.tls);
    text("protocol", r.protocol);
    text("ca-file", r.ca_file);
    text("user", r.user);
    text("password-command", r.password_command);
    text("password-file", r.password_file);
    text("oauth2-token-command", r.oauth2_token_command);
    text("maildir", r.maildir);
    text("layout", r.layout);
    if (vm.count("port"))
        r.port = vm["port"].as<std::uint16_t>();
    r.non_interactive = vm.count("non-interactive") > 0;
    r.no_check = vm.count("no-check") > 0;
    r.force = vm.count("force") > 0;
    return r;
}

po::options_description command_options(const command_spec& spec) {
    po::options_description opts(fmt::format("Options of '{}'", spec.name));
    if (spec.is_migrate) {
        opts.add_options()("help,h", "show this help and exit")(
            "account,a", po::value<std::vector<std::string>>()->value_name("NAME"),
            "the IMAP account to upload into (required)")(
            "from-maildir", po::value<std::string>()->value_name("DIR"),
            "the Maildir to upload (required)")("dry-run,n",
                                                "list what would be uploaded; upload nothing");
        return opts;
    }
    if (spec.kind == command_kind::init) {
        opts.add_options()("help,h", "show this help and exit");
        add_init_options(opts);
        return opts;
    }
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
    if (result.command == command_kind::init)
        result.init = init_request_from(cvm);
    if (spec->is_migrate) {
        if (result.accounts.size() != 1 || !cvm.count("from-maildir"))
            return usage_error(std::move(result),
                               "migrate: needs --account NAME (once) and --from-maildir DIR");
        result.from_maildir = cvm["from-maildir"].as<std::string>();
    }
    result.json = cvm.count("json") > 0;
    return result;
}

} // namespace postfach
