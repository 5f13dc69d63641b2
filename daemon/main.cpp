// postfach: keeps local Maildirs in two-way sync with IMAP accounts.

#include "config/config_loader.hpp"
#include "daemon/check_command.hpp"
#include "daemon/command_line.hpp"
#include "daemon/daemon_command.hpp"
#include "daemon/exit_code.hpp"
#include "daemon/migrate_command.hpp"
#include "daemon/status_command.hpp"
#include "daemon/sync_command.hpp"
#include "util/heap_settings.hpp"
#include "util/logging.hpp"
#include "util/open_file_limit.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <iostream>
#include <spdlog/spdlog.h>

int main(int argc, char* argv[]) {
    using namespace postfach;
    util::apply_heap_settings();
    util::raise_open_file_limit();
    const auto cli = parse_command_line(argc, argv);
    if (cli.finished_exit_code) {
        std::cout << cli.output;
        std::cerr << cli.error;
        return *cli.finished_exit_code;
    }
    logging::setup(cli.verbosity, logging::detect_output_format());

    const auto env = config::process_environment();
    auto config_file = cli.config_file.value_or(config::default_config_path(env));
    if (config_file.empty()) {
        fmt::print(std::cerr, "postfach: no --config given and neither XDG_CONFIG_HOME nor HOME "
                              "is set; pass --config FILE\n");
        return to_int(exit_code::usage_or_config);
    }
    if (cli.command == command_kind::init) {
        net::system_name_lookup dns;
        return run_init(cli.init, config_file, env, dns, std::cin, std::cout, std::cerr);
    }
    const auto loaded = config::load_config_file(config_file, env);
    if (!loaded.config) {
        for (const auto& e : loaded.errors)
            fmt::print(std::cerr, "{}\n", e.to_string());
        fmt::print(std::cerr, "postfach: {} problem{} in the configuration; nothing was changed\n",
                   loaded.errors.size(), loaded.errors.size() == 1 ? "" : "s");
        return to_int(exit_code::usage_or_config);
    }

    switch (cli.command) {
    case command_kind::check:
        return run_check(*loaded.config, cli.accounts, std::cout, std::cerr);
    case command_kind::sync:
        return run_sync(*loaded.config, {cli.accounts, cli.dry_run, cli.force}, std::cout,
                        std::cerr);
    case command_kind::daemon:
        return run_daemon(*loaded.config, {cli.accounts, config_file, env});
    case command_kind::migrate:
        return run_migrate(*loaded.config, {cli.accounts.front(), cli.from_maildir, cli.dry_run},
                           std::cout, std::cerr);
    case command_kind::init: // handled above: it runs without a configuration
    case command_kind::status:
        return run_status(*loaded.config, cli.accounts, cli.json, std::cout, std::cerr);
    case command_kind::none:
        break;
    }
    return to_int(exit_code::usage_or_config);
}
