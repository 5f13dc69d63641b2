#pragma once
// The accounts a command works on: those named by --account (in that order), or all of them.

#include "config/config.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace postfach {

// Fills `selected`; on an unknown name prints "postfach: no account named 'x' in FILE;
// accounts there: a, b" to err and returns false (exit code 2 for the caller).
bool select_accounts(const config::configuration& cfg, const std::vector<std::string>& names,
                     std::ostream& err, std::vector<const config::account_config*>& selected);

} // namespace postfach
