#include "state/transaction.hpp"

#include "state/sqlite_statement.hpp"

#include <utility>

namespace postfach::state {

transaction::transaction(transaction&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)) {}

transaction& transaction::operator=(transaction&& other) noexcept {
    if (this != &other) {
        rollback();
        db_ = std::exchange(other.db_, nullptr);
    }
    return *this;
}

transaction::~transaction() {
    rollback();
}

std::error_code transaction::commit() {
    if (db_ == nullptr)
        return std::make_error_code(std::errc::invalid_argument);
    auto ec = sqlite_exec(db_, "COMMIT");
    if (ec)
        rollback();
    db_ = nullptr;
    return ec;
}

void transaction::rollback() noexcept {
    if (db_ != nullptr)
        sqlite_exec(std::exchange(db_, nullptr), "ROLLBACK");
}

} // namespace postfach::state
