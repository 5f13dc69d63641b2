#pragma once
// What every command that works on an account does first (design.md §3): take the account's
// lock, make sure its Maildir exists (mode 0700), open its SQLite state. Shared by `sync` and
// `daemon`.

#include "config/config.hpp"
#include "state/account_lock.hpp"
#include "state/state_store.hpp"

#include <filesystem>
#include <string>

namespace postfach {

enum class account_setup_status { ok, locked, failed };

// On success the lock is held (until `lock` is released or destroyed) and `db` is open. On
// failure `message` is one line for the user, without the "postfach: " prefix.
account_setup_status open_account(const std::filesystem::path& state_dir,
                                  const config::account_config& account, state::account_lock& lock,
                                  state::state_store& db, std::string& message);

// The two halves of open_account(), for `sync`, which opens the state while it connects.
// First the lock and the Maildir (cheap, and nothing may start without the lock):
account_setup_status lock_account(const std::filesystem::path& state_dir,
                                  const config::account_config& account, state::account_lock& lock,
                                  std::string& message);
// Then the state (blocking file I/O: the open reads back the WAL). Returns whether `db` is open;
// touches nothing but its arguments, so it may run on a util::blocking_worker.
bool open_account_state(const std::filesystem::path& state_dir,
                        const config::account_config& account, state::state_store& db,
                        std::string& message);

} // namespace postfach
