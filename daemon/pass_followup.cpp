#include "daemon/pass_followup.hpp"

#include "daemon/imap_pass.hpp"
#include "daemon/mailboxes_file.hpp"

#include <spdlog/spdlog.h>

namespace postfach {

std::vector<new_mail_batch> new_mail_of(const sync::pass_result& result) {
    std::vector<new_mail_batch> batches;
    for (const auto& f : result.folders)
        if (const auto n = f.plan.count(sync::action_kind::copy, sync::side::local); n > 0)
            batches.push_back({f.folder, n});
    return batches;
}

pass_followup::pass_followup(const config::account_config& account, followup_options options)
    : account_(account)
    , debouncer_(options.debounce_window)
    , hooks_(account.name, account.hooks.on_new_mail, hook_options{options.hook_timeout}) {}

void pass_followup::pass_done(const sync::pass_result& result, clock::time_point now) {
    if (hooks_.configured())
        for (const auto& batch : new_mail_of(result))
            debouncer_.add(batch.folder, batch.count, now);
    if (!account_.mailboxes_file)
        return;
    const auto layout = maildir_of(account_);
    bool changed = false;
    if (auto ec = update_mailboxes_file(*account_.mailboxes_file, layout, changed))
        spdlog::warn("{}: cannot update mailboxes_file {}: {}", account_.name,
                     account_.mailboxes_file->string(), ec.message());
    else if (changed)
        spdlog::info("{}: mailboxes_file {} updated", account_.name,
                     account_.mailboxes_file->string());
}

std::optional<pass_followup::clock::time_point> pass_followup::run_due(clock::time_point now) {
    hooks_.submit(debouncer_.take_due(now));
    return debouncer_.next_due();
}

void pass_followup::flush(std::optional<clock::time_point> deadline) {
    hooks_.submit(debouncer_.take_all());
    if (deadline)
        hooks_.finish_by(*deadline);
    else
        hooks_.wait_idle();
}

} // namespace postfach
