#include "state/state_errc.hpp"

#include <sqlite3.h>
#include <string>

namespace postfach::state {
namespace {

class state_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "state"; }
    std::string message(int ev) const override {
        switch (static_cast<state_errc>(ev)) {
        case state_errc::locked:
            return "another postfach holds the account lock";
        case state_errc::schema_too_new:
            return "state database was written by a newer postfach";
        case state_errc::not_found:
            return "no such record in the state database";
        case state_errc::invalid_record:
            return "sync record does not fit the state database (UID or UIDVALIDITY not a number)";
        }
        return "unknown state error";
    }
};

class sqlite_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "sqlite"; }
    std::string message(int ev) const override { return ::sqlite3_errstr(ev); }
};

} // namespace

const std::error_category& state_category() noexcept {
    static const state_category_impl instance;
    return instance;
}

const std::error_category& sqlite_category() noexcept {
    static const sqlite_category_impl instance;
    return instance;
}

} // namespace postfach::state
