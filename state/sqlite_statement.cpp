#include "state/sqlite_statement.hpp"

#include "state/state_errc.hpp"

#include <sqlite3.h>
#include <utility>

namespace postfach::state {

sqlite_statement::sqlite_statement(sqlite3* db, std::string_view sql, std::error_code& ec) {
    const int rc =
        ::sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
    ec = rc == SQLITE_OK ? std::error_code() : make_sqlite_error(rc);
}

sqlite_statement::sqlite_statement(sqlite_statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)) {}

sqlite_statement& sqlite_statement::operator=(sqlite_statement&& other) noexcept {
    if (this != &other) {
        ::sqlite3_finalize(stmt_);
        stmt_ = std::exchange(other.stmt_, nullptr);
    }
    return *this;
}

sqlite_statement::~sqlite_statement() {
    ::sqlite3_finalize(stmt_);
}

sqlite_statement& sqlite_statement::bind(int index, std::int64_t value) {
    ::sqlite3_bind_int64(stmt_, index, value);
    return *this;
}

sqlite_statement& sqlite_statement::bind(int index, std::string_view value) {
    ::sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                        SQLITE_TRANSIENT);
    return *this;
}

sqlite_statement& sqlite_statement::bind_static(int index, std::string_view value) {
    ::sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
    return *this;
}

sqlite_statement& sqlite_statement::bind_null(int index) {
    ::sqlite3_bind_null(stmt_, index);
    return *this;
}

bool sqlite_statement::step(std::error_code& ec) {
    const int rc = ::sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
        ec.clear();
        return true;
    }
    ec = rc == SQLITE_DONE ? std::error_code() : make_sqlite_error(rc);
    return false;
}

std::error_code sqlite_statement::run() {
    std::error_code ec;
    while (step(ec)) {
    }
    return ec;
}

std::int64_t sqlite_statement::column_int(int index) const {
    return ::sqlite3_column_int64(stmt_, index);
}

std::string sqlite_statement::column_text(int index) const {
    return std::string(column_view(index));
}

std::string_view sqlite_statement::column_view(int index) const {
    const auto* text = ::sqlite3_column_text(stmt_, index);
    if (text == nullptr)
        return {};
    return {reinterpret_cast<const char*>(text),
            static_cast<std::size_t>(::sqlite3_column_bytes(stmt_, index))};
}

bool sqlite_statement::column_is_null(int index) const {
    return ::sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

void sqlite_statement::reset() {
    ::sqlite3_reset(stmt_);
    ::sqlite3_clear_bindings(stmt_);
}

std::error_code sqlite_exec(sqlite3* db, const char* sql) {
    const int rc = ::sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? std::error_code() : make_sqlite_error(rc);
}

int open_sqlite(const char* path, int flags, sqlite3** db) {
    // Memory statistics off: SQLite counts every allocation under a global mutex for
    // sqlite3_memory_used() and the soft heap limit, which postfach never uses (11% of the
    // instructions of an initial sync's put(): a record is ~20 allocations). Refused,
    // harmlessly, if something initialised SQLite before.
    static const bool configured = ::sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
    (void)configured;
    return ::sqlite3_open_v2(path, db, flags, nullptr);
}

} // namespace postfach::state
