#pragma once
// Where a daemon worker of an account stands (imap_worker, pop3_worker), kept once for
// both: its account_state with the pass count for the systemd STATUS= line, and, once the
// account's state database is open, the record `postfach status` reads (status_keeper).
//
// Contract: one thread (the worker's executor); `on_change` runs on every change of state.

#include "config/config.hpp"
#include "daemon/account_state.hpp"
#include "daemon/status_keeper.hpp"
#include "state/state_store.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace postfach {

class worker_state {
public:
    explicit worker_state(std::function<void()> on_change)
        : on_change_(std::move(on_change)) {}

    // From now on each state is also recorded for `postfach status`; `account` and `db` must
    // outlive this object.
    void record_to(const config::account_config& account, state::state_store& db) {
        keeper_.emplace(account, db);
    }

    void set(account_state s);
    [[nodiscard]] account_state get() const noexcept { return state_; }
    void count_pass() noexcept { ++passes_; }

    // "work: idle, <detail>, 3 passes"; only "work: stopped" while not running.
    [[nodiscard]] std::string line(std::string_view account, std::string_view detail) const;

    // The status record, once record_to() was called; nullptr before.
    [[nodiscard]] status_keeper* keeper() noexcept { return keeper_ ? &*keeper_ : nullptr; }

private:
    std::function<void()> on_change_;
    account_state state_ = account_state::starting;
    std::size_t passes_ = 0;
    std::optional<status_keeper> keeper_;
};

} // namespace postfach
