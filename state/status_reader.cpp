#include "state/status_reader.hpp"

#include "state/schema.hpp"
#include "state/sqlite_statement.hpp"
#include "state/state_errc.hpp"

#include <algorithm>
#include <memory>
#include <sqlite3.h>

namespace postfach::state {
namespace {

struct close_db {
    void operator()(sqlite3* db) const { ::sqlite3_close(db); }
};

folder_status& folder_named(account_status& out, const std::string& name) {
    auto it = std::find_if(out.folders.begin(), out.folders.end(),
                           [&](const folder_status& f) { return f.name == name; });
    if (it != out.folders.end())
        return *it;
    auto& f = out.folders.emplace_back();
    f.name = name;
    return f;
}

// Counts come from the message pairs themselves, so they are as current as the last commit
// point, also in the middle of a pass. Tombstones without a local copy are not counted.
constexpr const char* counts_sql =
    "SELECT f.name, COUNT(m.id), COALESCE(SUM(instr(m.flags, 'S') = 0), 0) "
    "FROM folders f LEFT JOIN messages m ON m.folder_id = f.id AND m.base_name IS NOT NULL "
    "GROUP BY f.id";
constexpr const char* account_sql =
    "SELECT connection, connection_since, pid, last_success, last_error, last_error_at "
    "FROM account_status WHERE id = 1";
constexpr const char* folders_sql =
    "SELECT name, last_success, last_error, last_error_at FROM folder_status";

} // namespace

std::error_code read_account_status(const std::filesystem::path& db_path, account_status& out,
                                    std::string& diagnostics) {
    out = {};
    std::error_code exists_ec;
    if (!std::filesystem::exists(db_path, exists_ec))
        return std::make_error_code(std::errc::no_such_file_or_directory);
    sqlite3* raw = nullptr;
    const int rc = open_sqlite(db_path.c_str(), SQLITE_OPEN_READONLY, &raw);
    std::unique_ptr<sqlite3, close_db> db(raw);
    if (rc != SQLITE_OK) {
        diagnostics = raw != nullptr ? ::sqlite3_errmsg(raw) : "out of memory";
        return make_sqlite_error(rc);
    }
    ::sqlite3_busy_timeout(raw, 5000);
    auto fail = [&](std::error_code ec) {
        diagnostics = ::sqlite3_errmsg(raw);
        return ec;
    };
    // One read transaction: counts and status rows from the same commit.
    if (auto ec = sqlite_exec(raw, "BEGIN"))
        return fail(ec);
    int version = 0;
    if (auto ec = read_schema_version(raw, version))
        return fail(ec);
    if (version > latest_schema_version)
        return state_errc::schema_too_new;

    std::error_code ec;
    if (version >= 1) {
        sqlite_statement counts(raw, counts_sql, ec);
        while (!ec && counts.step(ec)) {
            auto& f = folder_named(out, counts.column_text(0));
            f.messages = static_cast<std::uint64_t>(counts.column_int(1));
            f.unseen = static_cast<std::uint64_t>(counts.column_int(2));
        }
        if (ec)
            return fail(ec);
    }
    if (version >= 5) {
        sqlite_statement account(raw, account_sql, ec);
        if (!ec && account.step(ec)) {
            out.connection =
                parse_connection_state(account.column_text(0)).value_or(connection_state::offline);
            out.connection_since = account.column_int(1);
            out.pid = account.column_int(2);
            out.last_success = account.column_int(3);
            out.last_error = account.column_text(4);
            out.last_error_at = account.column_int(5);
        }
        sqlite_statement folders(raw, folders_sql, ec);
        while (!ec && folders.step(ec)) {
            auto& f = folder_named(out, folders.column_text(0));
            f.last_success = folders.column_int(1);
            f.last_error = folders.column_text(2);
            f.last_error_at = folders.column_int(3);
        }
        if (ec)
            return fail(ec);
    }
    (void)sqlite_exec(raw, "COMMIT");
    std::sort(out.folders.begin(), out.folders.end(),
              [](const folder_status& a, const folder_status& b) { return a.name < b.name; });
    return {};
}

} // namespace postfach::state
