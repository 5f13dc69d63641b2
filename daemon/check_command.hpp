#pragma once
// `postfach check`: shows what each selected account will use, then connects to its IMAP
// server: TLS, login, capabilities, folders with message counts, LOGOUT. The configuration was
// already validated by the loader; an unknown --account name is a usage error (exit 2). A
// failing account gets one line on err and the exit code 1 (fix something) or 75 (network or
// server trouble, retry later); the other accounts are still checked.

#include "config/config.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace postfach {

int run_check(const config::configuration& cfg, const std::vector<std::string>& account_names,
              std::ostream& out, std::ostream& err);

} // namespace postfach
