#pragma once
// The status record of one account for `postfach status` (state/status_recorder.hpp), as every
// runner of passes keeps it: `postfach sync` (account_pass.cpp, imap_account_pass.cpp) and the
// daemon's workers. Failing to record never fails a pass: it is logged as a warning, once per
// kind of failure in a row, so a broken state database does not flood the daemon's log.
//
// Contract: call between the pass's commit points (never inside its open transaction); `db`
// must be open and outlive the keeper; one thread.

#include "config/config.hpp"
#include "state/account_status.hpp"
#include "state/state_store.hpp"
#include "state/status_recorder.hpp"
#include "sync/account_pass.hpp"

#include <optional>
#include <string_view>
#include <system_error>

namespace postfach {

class status_keeper {
public:
    // `account` and `db` must outlive the keeper.
    status_keeper(const config::account_config& account, state::state_store& db)
        : account_(account)
        , recorder_(db) {}

    // The connection is now in `s`; writes only when it differs from the last one written.
    void connection(state::connection_state s);
    // A pass ended (not a dry run): per folder success or error, the account's last success.
    void pass(const sync::pass_result& result);
    // The account failed outside a pass: `what` is the user's line (no secrets).
    void failure(std::string_view what);

private:
    void note(std::error_code ec);

    const config::account_config& account_;
    state::status_recorder recorder_;
    std::optional<state::connection_state> written_;
    std::error_code last_problem_;
};

} // namespace postfach
