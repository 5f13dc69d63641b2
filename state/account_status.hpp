#pragma once
// What `postfach status` shows about an account (design.md §1): the connection state set by
// whoever runs passes, the last successful pass and the last error, per account and per folder.
// Written by status_recorder, read by read_account_status; stored in the account's state
// database (schema version 5). Times are Unix seconds; 0 means never.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postfach::state {

// offline: no postfach is connected (also after a one-shot sync ended); connecting: opening
// the connection (TLS, login); syncing: a pass runs; idle: connected and waiting for changes
// (daemon); backoff: waiting to reconnect after a failure (daemon).
enum class connection_state { offline, connecting, syncing, idle, backoff };

std::string_view to_string(connection_state s);
std::optional<connection_state> parse_connection_state(std::string_view text);

struct folder_status {
    std::string name;           // UTF-8, '/' separated
    std::uint64_t messages = 0; // messages in the local folder as of the last pass
    std::uint64_t unseen = 0;   // of those, without \Seen
    std::int64_t last_success = 0;
    std::string last_error; // empty: none
    std::int64_t last_error_at = 0;
};

struct account_status {
    connection_state connection = connection_state::offline;
    std::int64_t connection_since = 0;
    std::int64_t pid = 0; // the process that set `connection`; 0 if unknown
    std::int64_t last_success = 0;
    std::string last_error; // empty: none
    std::int64_t last_error_at = 0;
    std::vector<folder_status> folders; // by name
};

} // namespace postfach::state
