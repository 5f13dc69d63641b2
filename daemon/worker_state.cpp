#include "daemon/worker_state.hpp"

#include <fmt/format.h>

namespace postfach {

void worker_state::set(account_state s) {
    if (state_ == s)
        return;
    state_ = s;
    if (const auto recorded = connection_state_of(s); recorded && keeper_)
        keeper_->connection(*recorded);
    if (on_change_)
        on_change_();
}

std::string worker_state::line(std::string_view account, std::string_view detail) const {
    if (state_ == account_state::failed || state_ == account_state::stopped ||
        state_ == account_state::starting)
        return fmt::format("{}: {}", account, to_string(state_));
    return fmt::format("{}: {}, {}, {} pass{}", account, to_string(state_), detail, passes_,
                       passes_ == 1 ? "" : "es");
}

} // namespace postfach
