#include "daemon/account_state.hpp"

namespace postfach {

std::string_view to_string(account_state state) {
    switch (state) {
    case account_state::starting:
        return "starting";
    case account_state::connecting:
        return "connecting";
    case account_state::syncing:
        return "syncing";
    case account_state::idle:
        return "idle";
    case account_state::retrying:
        return "offline, retrying";
    case account_state::stopped:
        return "stopped";
    case account_state::failed:
        return "failed";
    }
    return "unknown";
}

std::optional<state::connection_state> connection_state_of(account_state state) {
    using state::connection_state;
    switch (state) {
    case account_state::starting:
        return std::nullopt;
    case account_state::connecting:
        return connection_state::connecting;
    case account_state::syncing:
        return connection_state::syncing;
    case account_state::idle:
        return connection_state::idle;
    case account_state::retrying:
        return connection_state::backoff;
    case account_state::stopped:
    case account_state::failed:
        return connection_state::offline;
    }
    return std::nullopt;
}

} // namespace postfach
