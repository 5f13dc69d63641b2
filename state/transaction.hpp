#pragma once
// A write transaction on the state database: one commit point. Begun by
// state_store::begin(); rolled back when destroyed without commit() (an error path, or an
// exception, leaves the database as before). Move-only; at most one open per store, and it
// must not outlive the store that began it.

#include <system_error>

struct sqlite3;

namespace postfach::state {

class transaction {
public:
    transaction() = default;
    transaction(transaction&& other) noexcept;
    transaction& operator=(transaction&& other) noexcept;
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;
    ~transaction();

    // Makes every write since begin() durable (synchronous=FULL: fsync of the WAL).
    std::error_code commit();
    // Undoes every write since begin().
    void rollback() noexcept;
    [[nodiscard]] bool active() const noexcept { return db_ != nullptr; }

private:
    friend class state_store;
    explicit transaction(sqlite3* db) noexcept
        : db_(db) {}
    sqlite3* db_ = nullptr;
};

} // namespace postfach::state
