#pragma once
// Reads an account's status (account_status.hpp) without disturbing whoever runs it: the
// database is opened read-only and never migrated, no lock is taken; WAL lets the reader see
// the last committed state while a sync or the daemon writes.

#include "state/account_status.hpp"

#include <filesystem>
#include <string>
#include <system_error>

namespace postfach::state {

// Fills `out` from the database at db_path. A missing database is std::errc::no_such_file_or_
// directory (the account was never synced); a database from before schema version 5 gives
// folders with counts but no pass times. `diagnostics` gets SQLite's text on other errors.
std::error_code read_account_status(const std::filesystem::path& db_path, account_status& out,
                                    std::string& diagnostics);

} // namespace postfach::state
