#include "daemon/imap_account_pass.hpp"

#include "imap/imap_store.hpp"
#include "maildir/maildir_store.hpp"
#include "state/sqlite_sync_state.hpp"
#include "sync/folder_filter.hpp"
#include "sync/pass_report.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace postfach {

sync::pass_options pass_options_for(const config::account_config& account,
                                    const sync_request& request) {
    sync::pass_options o;
    using config::expunge_mode;
    using config::sync_direction;
    const auto remote = static_cast<int>(sync::side::remote);
    const auto local = static_cast<int>(sync::side::local);
    o.plan.may_change[remote] = account.sync.direction != sync_direction::pull;
    o.plan.may_change[local] = account.sync.direction != sync_direction::push;
    o.plan.may_delete[remote] =
        account.sync.expunge == expunge_mode::both || account.sync.expunge == expunge_mode::remote;
    o.plan.may_delete[local] =
        account.sync.expunge == expunge_mode::both || account.sync.expunge == expunge_mode::local;
    o.plan.max_delete_fraction = account.sync.max_delete_fraction;
    o.plan.force = request.force;
    o.dry_run = request.dry_run;
    return o;
}

maildir::folder_layout maildir_of(const config::account_config& account) {
    return maildir::folder_layout(account.maildir, account.layout == config::layout_kind::verbatim
                                                       ? maildir::layout_kind::verbatim
                                                       : maildir::layout_kind::maildir_plus_plus);
}

account_status report_pass(const config::account_config& account, const sync::pass_result& r,
                           const sync_request& request, std::chrono::milliseconds elapsed,
                           std::ostream& out, std::ostream& err) {
    if (r.error) {
        fmt::print(err, "postfach: {}: {} failed: {}\n", account.name, r.error_detail,
                   r.error.message());
        return account_status::failed;
    }
    bool failed = false;
    for (const auto& f : r.folders) {
        if (request.dry_run)
            for (const auto& line : sync::describe_plan(f.plan))
                fmt::print(out, "{}: {}\n", account.name, line);
        else
            for (const auto& trip : f.plan.guard_trips) {
                sync::folder_plan only_trip{f.folder, {}, {trip}};
                for (const auto& line : sync::describe_plan(only_trip))
                    fmt::print(err, "postfach: {}: {}\n", account.name, line);
            }
        if (f.error) {
            failed = true;
            fmt::print(err, "postfach: {}: folder {}: {} failed: {}; the other folders went on\n",
                       account.name, f.folder, f.error_detail, f.error.message());
        }
    }
    if (!request.dry_run)
        fmt::print(out, "{}\n", sync::summary_line(account.name, r, elapsed));
    if (failed)
        return account_status::failed;
    return r.guard_tripped() && !request.dry_run ? account_status::guard : account_status::ok;
}

sync::task<account_status> run_imap_account_pass(const config::account_config& account,
                                                 imap::connection& connection,
                                                 const sync_request& request,
                                                 state::state_store& db, std::ostream& out,
                                                 std::ostream& err) {
    const auto started = std::chrono::steady_clock::now();
    imap::imap_store remote(connection.session());
    maildir::maildir_store local(maildir_of(account));
    state::sqlite_sync_state state(db);
    const auto result = co_await sync::run_account_pass(
        {&remote, &local}, state,
        sync::make_folder_selector(account.folders.include, account.folders.exclude),
        pass_options_for(account, request));
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    co_return report_pass(account, result, request, elapsed, out, err);
}

} // namespace postfach
