#pragma once
// Errors of the state store. SQLite failures use sqlite_category() (the value is SQLite's
// extended result code, the message sqlite3_errstr()); state_errc are our own conditions.

#include <system_error>

namespace postfach::state {

enum class state_errc {
    locked = 1,     // another process holds the account lock (exit code 3, design.md §1)
    schema_too_new, // the database was written by a newer postfach
    not_found,      // update/delete of a row that does not exist
    invalid_record, // a sync record or epoch that does not fit the schema (UID not a number)
};

const std::error_category& state_category() noexcept;
const std::error_category& sqlite_category() noexcept;

inline std::error_code make_error_code(state_errc e) noexcept {
    return {static_cast<int>(e), state_category()};
}
inline std::error_code make_sqlite_error(int result_code) noexcept {
    return {result_code, sqlite_category()};
}

} // namespace postfach::state

template <>
struct std::is_error_code_enum<postfach::state::state_errc> : std::true_type {};
