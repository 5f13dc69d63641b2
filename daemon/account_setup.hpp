#pragma once
// What every command that works on an account does first (design.md §3): take the account's
// lock, make sure its Maildir exists (mode 0700), open its SQLite state. Shared by `sync` and
// `daemon`.

#include "config/config.hpp"
#include "state/account_lock.hpp"
#include "state/state_store.hpp"

#include <string>

namespace postfach {

enum class account_setup_status { ok, locked, failed };

// On success the lock is held (until `lock` is released or destroyed) and `db` is open. On
// failure `message` is one line for the user, without the "postfach: " prefix.
account_setup_status open_account(const std::filesystem::path& state_dir,
                                  const config::account_config& account, state::account_lock& lock,
                                  state::state_store& db, std::string& message);

} // namespace postfach
