#pragma once
// `postfach check`: shows what each selected account will use. The configuration was already
// validated by the loader; an unknown --account name is a usage error (exit 2).

#include "config/config.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace postfach {

int run_check(const config::configuration& cfg, const std::vector<std::string>& account_names,
              std::ostream& out, std::ostream& err);

} // namespace postfach
