#pragma once
// A prepared SQLite statement (RAII). Bind parameters by 1-based index, step through rows.
// Errors come back as std::error_code in sqlite_category(); the connection keeps the text.

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

struct sqlite3;
struct sqlite3_stmt;

namespace postfach::state {

class sqlite_statement {
public:
    sqlite_statement() = default;
    sqlite_statement(sqlite3* db, std::string_view sql, std::error_code& ec);
    sqlite_statement(sqlite_statement&& other) noexcept;
    sqlite_statement& operator=(sqlite_statement&& other) noexcept;
    sqlite_statement(const sqlite_statement&) = delete;
    sqlite_statement& operator=(const sqlite_statement&) = delete;
    ~sqlite_statement();

    sqlite_statement& bind(int index, std::int64_t value);
    sqlite_statement& bind(int index, std::string_view value);
    // Without a copy: `value` must stay as it is until the statement is reset (reset()).
    sqlite_statement& bind_static(int index, std::string_view value);
    sqlite_statement& bind_null(int index);

    // Runs to the next row: true if a row is there, false when done or on error (ec set).
    bool step(std::error_code& ec);
    // Runs a statement that returns no rows.
    std::error_code run();

    [[nodiscard]] std::int64_t column_int(int index) const;
    [[nodiscard]] std::string column_text(int index) const;
    // The text without a copy, valid until the next step() or reset().
    [[nodiscard]] std::string_view column_view(int index) const;
    [[nodiscard]] bool column_is_null(int index) const;

    // Ready to run again with new bindings.
    void reset();

private:
    sqlite3_stmt* stmt_ = nullptr;
};

// Runs one or more statements without results (schema changes, BEGIN/COMMIT, PRAGMAs).
std::error_code sqlite_exec(sqlite3* db, const char* sql);

// sqlite3_open_v2(), through which every connection postfach makes goes: the first call sets
// SQLite's process-wide options, before any connection exists (sqlite3_config() must not run
// beside any other SQLite call; a thread that opens at the same time waits for it).
int open_sqlite(const char* path, int flags, sqlite3** db);

} // namespace postfach::state
