#pragma once
// The state database schema and its migrations. The version lives in PRAGMA user_version
// (0 = empty database). Each migration step takes the database from version N-1 to N inside one
// transaction that also sets user_version = N, so a crash mid-migration leaves version N-1
// intact. Steps are never edited once released; a change is a new step.

#include <system_error>

struct sqlite3;

namespace postfach::state {

// The version this build writes and understands.
constexpr int latest_schema_version = 8;

std::error_code read_schema_version(sqlite3* db, int& version);

// Applies the steps after the current version up to `target`, in order. A database newer than
// latest_schema_version gives state_errc::schema_too_new and is left untouched.
std::error_code migrate_schema(sqlite3* db, int target = latest_schema_version);

} // namespace postfach::state
