#include "daemon/pop3_account_pass.hpp"

#include "daemon/imap_account_pass.hpp"
#include "daemon/pass_followup.hpp"
#include "daemon/status_keeper.hpp"
#include "pop3/client.hpp"
#include "pop3/pop3_errc.hpp"
#include "sync/pass_report.hpp"
#include "util/system_error_advice.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <optional>
#include <set>

namespace postfach {

namespace {

// What to do about a failed POP3 pass, after the diagnostics.
std::string_view advice_for(std::error_code ec, bool retry_later) {
    if (const auto local = util::advice_for_system_error(ec); !local.empty())
        return local;
    if (ec == pop3::pop3_errc::auth_failed)
        return "check user and the secret of the pop3 block";
    if (ec == pop3::pop3_errc::in_use || ec == pop3::pop3_errc::login_delay)
        return "another client holds the mailbox or logged in too recently; try again later";
    if (retry_later)
        return "try again later";
    return "check the pop3 settings, the Maildir and the state directory";
}

// Identities of the INBOX messages an IMAP pass stored and paired (design.md §4.8): after a
// switch from IMAP, POP3 recognises them instead of fetching them again.
std::error_code imap_paired_inbox(state::state_store& db, std::set<std::string>& out) {
    std::optional<state::folder_record> inbox;
    if (auto ec = db.find_folder("INBOX", inbox); ec || !inbox)
        return ec;
    std::vector<state::message_record> pairs;
    if (auto ec = db.list_messages(inbox->id, pairs))
        return ec;
    for (const auto& p : pairs)
        if (p.base_name && !p.identity.empty())
            out.insert(p.identity);
    return {};
}

// The one line of a failed POP3 pass (without "postfach: NAME: ").
std::string failure_line(const config::server_config& server, std::error_code ec,
                         const std::string& diagnostics, bool retry_later) {
    return fmt::format("POP3 pass with {}:{} failed: {}; {}", server.host, server.port,
                       diagnostics.empty() ? ec.message() : diagnostics,
                       advice_for(ec, retry_later));
}

} // namespace

config::server_config pop3_server_of(const config::account_config& account) {
    return account.pop3 ? *account.pop3 : config::derive_pop3_from_imap(*account.imap);
}

sync::task<pop3_pass_outcome> run_pop3_pass(const config::account_config& account,
                                            config::server_config server,
                                            const sync_request& request, state::state_store& db,
                                            std::ostream& out, std::ostream& err,
                                            pop3::fetch_options options) {
    const auto started = std::chrono::steady_clock::now();
    pop3_pass_outcome outcome;
    status_keeper status(account, db);
    const auto fail = [&](account_status grade, std::string line) {
        fmt::print(err, "postfach: {}: {}\n", account.name, line);
        if (!request.dry_run)
            status.failure(line);
        outcome.status = grade;
        outcome.failure = std::move(line);
    };
    const auto layout = maildir_of(account);
    std::error_code ec;
    const auto inbox = layout.folder_dir("INBOX", ec);
    if (!ec && !layout.folder_exists("INBOX"))
        ec = layout.create_folder("INBOX");
    if (ec) {
        fail(account_status::failed,
             fmt::format("cannot create the INBOX of {}: {}", account.maildir.string(),
                         util::message_with_advice(ec)));
        co_return outcome;
    }
    const auto from_block = pop3::fetch_options_for(server);
    options.leave_on_server = from_block.leave_on_server;
    options.delete_after_days = from_block.delete_after_days;
    options.dry_run = request.dry_run;
    if (auto state_ec = imap_paired_inbox(db, options.on_disk)) {
        fail(account_status::failed, fmt::format("cannot read the sync state: {} ({})",
                                                 state_ec.message(), db.diagnostics()));
        co_return outcome;
    }
    auto& result = outcome.fetch;
    std::string diagnostics;
    ec =
        co_await pop3::fetch_account(server, account.name, db, inbox, options, result, diagnostics);
    if (request.dry_run) {
        if (ec) {
            fail(result.retry_later ? account_status::transient : account_status::failed,
                 failure_line(server, ec, diagnostics, result.retry_later));
            co_return outcome;
        }
        fmt::print(out, "{}: INBOX: fetch {} message{} over POP3 ({:.1f} MB)\n", account.name,
                   result.to_fetch, result.to_fetch == 1 ? "" : "s",
                   static_cast<double>(result.to_fetch_bytes) / 1e6);
        if (result.to_delete > 0)
            fmt::print(out, "{}: INBOX: delete {} message{} on the POP3 server\n", account.name,
                       result.to_delete, result.to_delete == 1 ? "" : "s");
        co_return outcome;
    }
    // The same summary as an IMAP pass: one folder, fetched down, deleted up. What a failed
    // pass made durable before failing counts too (its hook still runs).
    auto& summary = outcome.summary;
    summary.folders.push_back({"INBOX", {}, {}, {}});
    sync::action fetched_one;
    fetched_one.kind = sync::action_kind::copy;
    fetched_one.target = sync::side::local;
    summary.folders.front().plan.actions.assign(result.fetched, fetched_one);
    summary.copied[static_cast<int>(sync::side::local)] = result.fetched;
    summary.removed[static_cast<int>(sync::side::remote)] = result.deleted;
    summary.bytes_copied = static_cast<std::size_t>(result.bytes);
    if (ec) {
        fail(result.retry_later ? account_status::transient : account_status::failed,
             failure_line(server, ec, diagnostics, result.retry_later));
    } else {
        status.pass(summary);
        const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - started);
        fmt::print(out, "{}\n", sync::summary_line(account.name, summary, elapsed));
    }
    co_return outcome;
}

sync::task<account_status> run_pop3_account_pass(const config::account_config& account,
                                                 config::server_config server,
                                                 const sync_request& request,
                                                 state::state_store& db, std::ostream& out,
                                                 std::ostream& err, pop3::fetch_options options) {
    status_keeper status(account, db);
    if (!request.dry_run)
        status.connection(state::connection_state::syncing);
    const auto outcome =
        co_await run_pop3_pass(account, std::move(server), request, db, out, err, options);
    if (!request.dry_run) {
        status.connection(state::connection_state::offline);
        pass_followup followup(account);
        followup.pass_done(outcome.summary);
        followup.flush();
    }
    co_return outcome.status;
}

} // namespace postfach
