#pragma once
// Where a daemon worker of an account stands (imap_worker.hpp, pop3_worker.hpp): for the
// systemd STATUS= line, and, mapped to state::connection_state, for `postfach status`.

#include "state/account_status.hpp"

#include <optional>
#include <string_view>

namespace postfach {

enum class account_state {
    starting,   // before the lock and the state are open
    connecting, // opening the pass connection
    syncing,    // a pass runs
    idle,       // waiting for a change
    retrying,   // the server is unreachable; waiting for the next attempt
    stopped,    // run() ended after stop()
    failed,     // run() ended on its own: locked by another postfach, no state, no IMAP
};

std::string_view to_string(account_state state);

// What `postfach status` shows for it; empty for `starting` (nothing to record yet).
std::optional<state::connection_state> connection_state_of(account_state state);

} // namespace postfach
