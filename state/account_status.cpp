#include "state/account_status.hpp"

#include <array>
#include <utility>

namespace postfach::state {
namespace {

constexpr std::array<std::pair<connection_state, std::string_view>, 5> names{{
    {connection_state::offline, "offline"},
    {connection_state::connecting, "connecting"},
    {connection_state::syncing, "syncing"},
    {connection_state::idle, "idle"},
    {connection_state::backoff, "backoff"},
}};

} // namespace

std::string_view to_string(connection_state s) {
    for (const auto& [state, name] : names)
        if (state == s)
            return name;
    return "offline";
}

std::optional<connection_state> parse_connection_state(std::string_view text) {
    for (const auto& [state, name] : names)
        if (name == text)
            return state;
    return std::nullopt;
}

} // namespace postfach::state
