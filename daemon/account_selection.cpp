#include "daemon/account_selection.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>

namespace postfach {

bool select_accounts(const config::configuration& cfg, const std::vector<std::string>& names,
                     std::ostream& err, std::vector<const config::account_config*>& selected) {
    selected.clear();
    for (const auto& name : names) {
        const auto* account = cfg.find_account(name);
        if (account == nullptr) {
            std::vector<std::string> known;
            for (const auto& a : cfg.accounts)
                known.push_back(a.name);
            fmt::print(err, "postfach: no account named '{}' in {}; accounts there: {}\n", name,
                       cfg.source.string(), fmt::join(known, ", "));
            return false;
        }
        selected.push_back(account);
    }
    if (selected.empty())
        for (const auto& a : cfg.accounts)
            selected.push_back(&a);
    return true;
}

} // namespace postfach
