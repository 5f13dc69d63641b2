#pragma once
// `postfach status`: per account and folder, what the state database says (state/
// account_status.hpp), as a table or as JSON (format in the README, "Status"). Read-only: no
// lock is taken, so it works while the daemon or a sync runs.

#include "config/config.hpp"
#include "state/account_status.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace postfach {

int run_status(const config::configuration& cfg, const std::vector<std::string>& accounts,
               bool json, std::ostream& out, std::ostream& err);

// One account as the command shows it; `known` is false when it has no state yet.
struct account_status_view {
    std::string name;
    bool known = false;
    state::account_status status;
};

// The two renderings, exposed for unit tests. `now` (Unix seconds) is for "3 min ago".
std::string format_status_table(const std::vector<account_status_view>& accounts, std::int64_t now);
std::string format_status_json(const std::vector<account_status_view>& accounts);

} // namespace postfach
