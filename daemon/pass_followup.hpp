#pragma once
// What follows an account's sync pass besides the state: the on_new_mail hook (debounced per
// folder, new_mail_debouncer.hpp, run by hook_runner.hpp) and the mailboxes_file
// (mailboxes_file.hpp). One per account, owned by whoever runs passes:
//
//   postfach sync:   pass_done(result); flush();          hooks run once per folder, then exit
//   postfach daemon: pass_done(result); arm a timer for next_due(); on expiry run_due(now);
//                    flush() on shutdown.
//
// Nothing here fails a pass: problems are logged as warnings.

#include "config/config.hpp"
#include "daemon/hook_runner.hpp"
#include "daemon/new_mail_debouncer.hpp"
#include "sync/account_pass.hpp"

#include <chrono>
#include <optional>

namespace postfach {

struct followup_options {
    std::chrono::milliseconds debounce_window{std::chrono::seconds(2)};
    std::chrono::milliseconds hook_timeout{std::chrono::seconds(60)};
};

// Messages the pass wrote into each local folder (fetched from the server), by folder; folders
// without new mail are left out. A folder that failed midway reports what its plan fetched.
std::vector<new_mail_batch> new_mail_of(const sync::pass_result& result);

class pass_followup {
public:
    using clock = new_mail_debouncer::clock;

    // `account` must outlive this object.
    explicit pass_followup(const config::account_config& account, followup_options options = {});

    // After a pass that was not a dry run: queues new mail for the hook and updates the
    // mailboxes file if the account has one and its folders changed.
    void pass_done(const sync::pass_result& result, clock::time_point now = clock::now());

    // Hands the due batches to the hook runner; returns when the next batch falls due.
    std::optional<clock::time_point> run_due(clock::time_point now = clock::now());
    [[nodiscard]] std::optional<clock::time_point> next_due() const {
        return debouncer_.next_due();
    }

    // Runs every pending batch now and waits for the hooks to finish; with a deadline, what has
    // not finished by then is dropped or killed (hook_runner::finish_by).
    void flush(std::optional<clock::time_point> deadline = std::nullopt);

    [[nodiscard]] const hook_runner& hooks() const noexcept { return hooks_; }

private:
    const config::account_config& account_;
    new_mail_debouncer debouncer_;
    hook_runner hooks_;
};

} // namespace postfach
