#include "state/status_recorder.hpp"

#include "state/sqlite_statement.hpp"
#include "sync/pass_report.hpp"

#include <unistd.h>

namespace postfach::state {
namespace {

std::int64_t unix_seconds(status_recorder::clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// The account row exists once anything was recorded; every writer starts here.
constexpr const char* ensure_account_row = "INSERT OR IGNORE INTO account_status (id) VALUES (1)";

// While it lives, the connection's commits are not fsync'd (WAL with synchronous=NORMAL: still
// atomic and in order; durable with the next synchronous commit or checkpoint).
class unsynced_commits {
public:
    explicit unsynced_commits(sqlite3* db)
        : db_(db) {
        (void)sqlite_exec(db_, "PRAGMA synchronous = NORMAL");
    }
    ~unsynced_commits() { (void)sqlite_exec(db_, "PRAGMA synchronous = FULL"); }
    unsynced_commits(const unsynced_commits&) = delete;
    unsynced_commits& operator=(const unsynced_commits&) = delete;

private:
    sqlite3* db_;
};

// What went wrong in a folder, in the words `postfach sync` prints; empty if nothing.
std::string folder_problem(const sync::folder_outcome& f) {
    if (f.error)
        return f.error_detail.empty() ? f.error.message()
                                      : f.error_detail + " failed: " + f.error.message();
    std::string text;
    for (const auto& trip : f.plan.guard_trips) {
        sync::folder_plan only_trip{f.folder, {}, {trip}};
        for (auto line : sync::describe_plan(only_trip)) {
            if (line.starts_with(f.folder + ": "))
                line.erase(0, f.folder.size() + 2);
            text += text.empty() ? line : "; " + line;
        }
    }
    return text;
}

} // namespace

std::error_code status_recorder::set_connection(connection_state s, clock::time_point now) {
    sqlite3* db = db_.connection();
    const unsynced_commits unsynced(db);
    if (auto ec = sqlite_exec(db, ensure_account_row))
        return ec;
    std::error_code ec;
    sqlite_statement update(db,
                            "UPDATE account_status SET connection = ?1, connection_since = ?2, "
                            "pid = ?3 WHERE id = 1",
                            ec);
    if (!ec)
        update.bind(1, to_string(s)).bind(2, unix_seconds(now)).bind(3, std::int64_t{::getpid()});
    return ec ? ec : update.run();
}

std::error_code status_recorder::record_failure(std::string_view what, clock::time_point now) {
    sqlite3* db = db_.connection();
    const unsynced_commits unsynced(db);
    if (auto ec = sqlite_exec(db, ensure_account_row))
        return ec;
    std::error_code ec;
    sqlite_statement update(
        db, "UPDATE account_status SET last_error = ?1, last_error_at = ?2 WHERE id = 1", ec);
    if (!ec)
        update.bind(1, what).bind(2, unix_seconds(now));
    return ec ? ec : update.run();
}

std::error_code status_recorder::record_pass(const sync::pass_result& result,
                                             clock::time_point now) {
    if (result.error)
        return record_failure(result.error_detail.empty()
                                  ? result.error.message()
                                  : result.error_detail + " failed: " + result.error.message(),
                              now);
    sqlite3* db = db_.connection();
    const unsynced_commits unsynced(db);
    const auto when = unix_seconds(now);
    transaction tx;
    if (auto ec = db_.begin(tx))
        return ec;
    if (auto ec = sqlite_exec(db, ensure_account_row))
        return ec;
    // Folders of earlier passes that this one did not see are gone (or excluded now).
    if (auto ec = sqlite_exec(db, "CREATE TEMP TABLE IF NOT EXISTS pass_folders (name TEXT "
                                  "PRIMARY KEY); DELETE FROM temp.pass_folders"))
        return ec;
    std::error_code ec;
    sqlite_statement seen(db, "INSERT OR IGNORE INTO temp.pass_folders (name) VALUES (?1)", ec);
    sqlite_statement ok(db,
                        "INSERT INTO folder_status (name, last_success) VALUES (?1, ?2) "
                        "ON CONFLICT (name) DO UPDATE SET last_success = ?2",
                        ec);
    sqlite_statement failed(db,
                            "INSERT INTO folder_status (name, last_error, last_error_at) "
                            "VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE SET "
                            "last_error = ?2, last_error_at = ?3",
                            ec);
    if (ec)
        return ec;
    bool all_ok = true;
    for (const auto& f : result.folders) {
        seen.reset();
        if (auto e = seen.bind(1, f.folder).run())
            return e;
        const auto problem = folder_problem(f);
        if (problem.empty()) {
            ok.reset();
            ec = ok.bind(1, f.folder).bind(2, when).run();
        } else {
            all_ok = false;
            failed.reset();
            ec = failed.bind(1, f.folder).bind(2, problem).bind(3, when).run();
        }
        if (ec)
            return ec;
    }
    if (auto e = sqlite_exec(db, "DELETE FROM folder_status WHERE name NOT IN "
                                 "(SELECT name FROM temp.pass_folders)"))
        return e;
    if (all_ok) {
        sqlite_statement account(db, "UPDATE account_status SET last_success = ?1 WHERE id = 1",
                                 ec);
        if (!ec)
            ec = account.bind(1, when).run();
        if (ec)
            return ec;
    }
    return tx.commit();
}

} // namespace postfach::state
