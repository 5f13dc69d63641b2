#pragma once
// Records an account's pass and connection status in its state database, for `postfach
// status` (account_status.hpp). Called by whoever runs passes: `postfach sync` after each
// account pass, the daemon on every connection change and after every pass.
//
// Each call is one small commit of its own, outside the pass's transactions; call it between
// commit points, never inside an open transaction of the same store. Errors are returned but
// are not worth failing a pass for: callers log them. The commits are not fsync'd (status is
// a report, not sync state; a pass writes it up to four times): a power cut may lose the last
// of them, never the sync state's own commits, which stay synchronous=FULL and make the WAL
// durable up to themselves.

#include "state/account_status.hpp"
#include "state/state_store.hpp"
#include "sync/account_pass.hpp"

#include <chrono>
#include <string_view>
#include <system_error>

namespace postfach::state {

class status_recorder {
public:
    using clock = std::chrono::system_clock;

    // `db` must outlive the recorder.
    explicit status_recorder(state_store& db)
        : db_(db) {}

    // The connection is now in state `s` (since `now`), set by this process.
    std::error_code set_connection(connection_state s, clock::time_point now = clock::now());

    // A pass ended: each folder of the result gets its success time or its error (a failed
    // folder, or deletions held back by the guard); folders not in the result are dropped
    // (gone, or excluded now). The account's last success is set when nothing failed; a pass
    // that could not start sets the account's error and keeps the folder rows.
    std::error_code record_pass(const sync::pass_result& result,
                                clock::time_point now = clock::now());

    // The account failed before or outside a pass (connection, login, lock, Maildir): `what`
    // is the message shown to the user (no secrets: the same text as on stderr).
    std::error_code record_failure(std::string_view what, clock::time_point now = clock::now());

private:
    state_store& db_;
};

} // namespace postfach::state
