#include "daemon/imap_account_pass.hpp"

#include "daemon/pass_followup.hpp"
#include "daemon/status_keeper.hpp"
#include "imap/imap_errc.hpp"
#include "imap/imap_store.hpp"
#include "net/net_errc.hpp"
#include "sync/pass_report.hpp"
#include "util/system_error_advice.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <spdlog/spdlog.h>

namespace postfach {

// The connection went away (closed, reset, timed out, BYE): worth retrying as a whole (exit 75),
// unlike a folder that failed for a reason of its own (a full disk, a refused APPEND).
bool connection_lost(const std::error_code& ec) {
    return (ec.category() == net::net_category() && net::is_transient(ec)) ||
           ec == net::net_errc::not_connected || ec == imap::imap_errc::server_bye;
}

account_status report_pass(const config::account_config& account, const sync::pass_result& r,
                           const sync_request& request, std::chrono::milliseconds elapsed,
                           const std::string& server_said, std::ostream& out, std::ostream& err) {
    // The store's words on its last failure ("UID FETCH: ..."), so the user sees which command
    // the server broke.
    const auto explain = [&] {
        if (!server_said.empty())
            fmt::print(err, "postfach: {}: last IMAP error: {}\n", account.name, server_said);
    };
    if (r.error) {
        fmt::print(err, "postfach: {}: {} failed: {}\n", account.name, r.error_detail,
                   util::message_with_advice(r.error));
        explain();
        return connection_lost(r.error) ? account_status::transient : account_status::failed;
    }
    bool failed = false, lost = false;
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
            // Once the connection is gone, the folders after it fail for want of a session.
            const bool consequence = lost && f.error == imap::imap_errc::wrong_state;
            (connection_lost(f.error) || consequence ? lost : failed) = true;
            std::string why = util::message_with_advice(f.error);
            if (f.error == imap::imap_errc::command_failed && !server_said.empty())
                why += " (" + server_said + ")";
            fmt::print(err, "postfach: {}: folder {}: {} failed: {}; the other folders went on\n",
                       account.name, f.folder, f.error_detail, why);
        }
    }
    if (!request.dry_run)
        fmt::print(out, "{}\n", sync::summary_line(account.name, r, elapsed));
    if (failed || lost)
        explain();
    if (failed)
        return account_status::failed;
    if (lost)
        return account_status::transient;
    return r.guard_tripped() && !request.dry_run ? account_status::guard : account_status::ok;
}

sync::task<account_status> run_imap_account_pass(const config::account_config& account,
                                                 imap::connection& connection,
                                                 const sync_request& request,
                                                 state::state_store& db, std::ostream& out,
                                                 std::ostream& err) {
    const auto started = std::chrono::steady_clock::now();
    status_keeper status(account, db);
    status.connection(state::connection_state::syncing);
    imap::imap_store remote(connection.session());
    const auto result = co_await run_imap_pass(
        account, remote, db, pass_options_for(account, request.dry_run, request.force));
    if (!request.dry_run) {
        status.pass(result);
        pass_followup followup(account);
        followup.pass_done(result);
        followup.flush();
    }
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    co_return report_pass(account, result, request, elapsed, remote.diagnostics(), out, err);
}

} // namespace postfach
