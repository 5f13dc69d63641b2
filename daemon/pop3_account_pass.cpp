#include "daemon/pop3_account_pass.hpp"

#include "daemon/imap_account_pass.hpp"
#include "pop3/client.hpp"
#include "pop3/pop3_errc.hpp"
#include "sync/pass_report.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <optional>
#include <set>

namespace postfach {

namespace {

// What to do about a failed POP3 pass, after the diagnostics.
std::string_view advice_for(std::error_code ec, bool retry_later) {
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

} // namespace

config::server_config pop3_server_of(const config::account_config& account) {
    return account.pop3 ? *account.pop3 : config::derive_pop3_from_imap(*account.imap);
}

sync::task<account_status> run_pop3_account_pass(const config::account_config& account,
                                                 config::server_config server,
                                                 const sync_request& request,
                                                 state::state_store& db, std::ostream& out,
                                                 std::ostream& err, pop3::fetch_options options) {
    const auto started = std::chrono::steady_clock::now();
    const auto layout = maildir_of(account);
    std::error_code ec;
    const auto inbox = layout.folder_dir("INBOX", ec);
    if (!ec && !layout.folder_exists("INBOX"))
        ec = layout.create_folder("INBOX");
    if (ec) {
        fmt::print(err, "postfach: {}: cannot create the INBOX of {}: {}\n", account.name,
                   account.maildir.string(), ec.message());
        co_return account_status::failed;
    }
    const auto from_block = pop3::fetch_options_for(server);
    options.leave_on_server = from_block.leave_on_server;
    options.delete_after_days = from_block.delete_after_days;
    options.dry_run = request.dry_run;
    if (auto state_ec = imap_paired_inbox(db, options.on_disk)) {
        fmt::print(err, "postfach: {}: cannot read the sync state: {} ({})\n", account.name,
                   state_ec.message(), db.diagnostics());
        co_return account_status::failed;
    }
    pop3::fetch_result result;
    std::string diagnostics;
    ec =
        co_await pop3::fetch_account(server, account.name, db, inbox, options, result, diagnostics);
    if (ec) {
        fmt::print(err, "postfach: {}: POP3 pass with {}:{} failed: {}; {}\n", account.name,
                   server.host, server.port, diagnostics.empty() ? ec.message() : diagnostics,
                   advice_for(ec, result.retry_later));
        co_return result.retry_later ? account_status::transient : account_status::failed;
    }
    if (request.dry_run) {
        fmt::print(out, "{}: INBOX: fetch {} message{} over POP3 ({:.1f} MB)\n", account.name,
                   result.to_fetch, result.to_fetch == 1 ? "" : "s",
                   static_cast<double>(result.to_fetch_bytes) / 1e6);
        if (result.to_delete > 0)
            fmt::print(out, "{}: INBOX: delete {} message{} on the POP3 server\n", account.name,
                       result.to_delete, result.to_delete == 1 ? "" : "s");
        co_return account_status::ok;
    }
    // The same summary as an IMAP pass: one folder, fetched down, deleted up.
    sync::pass_result summary;
    summary.folders.push_back({"INBOX", {}, {}, {}});
    summary.copied[static_cast<int>(sync::side::local)] = result.fetched;
    summary.removed[static_cast<int>(sync::side::remote)] = result.deleted;
    summary.bytes_copied = static_cast<std::size_t>(result.bytes);
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    fmt::print(out, "{}\n", sync::summary_line(account.name, summary, elapsed));
    co_return account_status::ok;
}

} // namespace postfach
