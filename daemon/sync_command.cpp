#include "daemon/sync_command.hpp"

#include "daemon/check_failure.hpp"
#include "daemon/exit_code.hpp"
#include "imap/connection.hpp"
#include "imap/imap_store.hpp"
#include "maildir/maildir_store.hpp"
#include "state/account_lock.hpp"
#include "state/sqlite_sync_state.hpp"
#include "state/state_errc.hpp"
#include "state/state_store.hpp"
#include "sync/account_pass.hpp"
#include "sync/folder_filter.hpp"
#include "sync/pass_report.hpp"
#include "util/private_files.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <memory>
#include <spdlog/spdlog.h>

namespace postfach {

namespace {

namespace fs = std::filesystem;

enum class account_status { ok, guard, transient, failed, locked };

// The engine's plan options from the account's sync settings (design.md §2).
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

// remote_diagnostics: the IMAP store's words on its last failure ("UID FETCH: ..."), printed
// after the failures so that the user sees which command the server broke.
account_status report_pass(const config::account_config& account, const sync::pass_result& r,
                           const sync_request& request, std::chrono::milliseconds elapsed,
                           const std::string& remote_diagnostics, std::ostream& out,
                           std::ostream& err) {
    const auto explain = [&] {
        if (!remote_diagnostics.empty())
            fmt::print(err, "postfach: {}: last IMAP error: {}\n", account.name,
                       remote_diagnostics);
    };
    if (r.error) {
        fmt::print(err, "postfach: {}: {} failed: {}\n", account.name, r.error_detail,
                   r.error.message());
        explain();
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
    if (failed) {
        explain();
        return account_status::failed;
    }
    return r.guard_tripped() && !request.dry_run ? account_status::guard : account_status::ok;
}

sync::task<account_status> sync_imap_account(const config::account_config& account,
                                             const sync_request& request, state::state_store& db,
                                             std::ostream& out, std::ostream& err) {
    const auto started = std::chrono::steady_clock::now();
    const auto& server = *account.imap;
    auto executor = co_await boost::asio::this_coro::executor;
    imap::connection connection(executor, server,
                                imap::connection_options_for(server, account.name));
    if (auto ec = co_await connection.open()) {
        const auto failure =
            describe_check_failure(server, connection.failed_step(), ec, connection.diagnostics());
        fmt::print(err, "postfach: {}: {}\n", account.name, failure.line);
        co_return failure.transient ? account_status::transient : account_status::failed;
    }
    imap::imap_store remote(connection.session());
    maildir::maildir_store local(
        maildir::folder_layout(account.maildir, account.layout == config::layout_kind::verbatim
                                                    ? maildir::layout_kind::verbatim
                                                    : maildir::layout_kind::maildir_plus_plus));
    state::sqlite_sync_state state(db);
    const auto result = co_await sync::run_account_pass(
        {&remote, &local}, state,
        sync::make_folder_selector(account.folders.include, account.folders.exclude),
        pass_options_for(account, request));
    co_await connection.logout();
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    co_return report_pass(account, result, request, elapsed, remote.diagnostics(), out, err);
}

account_status sync_account(const config::configuration& cfg, const config::account_config& account,
                            const sync_request& request, std::ostream& out, std::ostream& err) {
    if (account.protocol == config::protocol_kind::pop3 || !account.imap) {
        fmt::print(err, "postfach: {}: syncing POP3 accounts arrives with issue 7; skipped\n",
                   account.name);
        return account_status::failed;
    }
    // One postfach per account (design.md §3): the lock is held until this returns.
    state::account_lock lock;
    pid_t holder = 0;
    if (auto ec = state::account_lock::acquire(cfg.state_dir, account.name, lock, holder)) {
        if (ec == state::state_errc::locked) {
            fmt::print(err, "postfach: {}\n",
                       state::account_lock::contention_message(account.name, holder));
            return account_status::locked;
        }
        fmt::print(err,
                   "postfach: {}: cannot lock {}: {}; check that the state directory is "
                   "writable\n",
                   account.name, cfg.state_dir.string(), ec.message());
        return account_status::failed;
    }
    std::error_code ec = util::make_private_directories(account.maildir);
    if (ec) {
        fmt::print(err, "postfach: {}: cannot create the Maildir {}: {}\n", account.name,
                   account.maildir.string(), ec.message());
        return account_status::failed;
    }
    fs::permissions(account.maildir, fs::perms::owner_all, fs::perm_options::replace, ec);
    state::state_store db;
    if (auto open_ec = state::state_store::open(
            state::state_store::database_path(cfg.state_dir, account.name), db)) {
        fmt::print(err, "postfach: {}: cannot open the sync state: {} ({})\n", account.name,
                   open_ec.message(), db.diagnostics());
        return account_status::failed;
    }
    boost::asio::io_context io;
    auto future = boost::asio::co_spawn(io, sync_imap_account(account, request, db, out, err),
                                        boost::asio::use_future);
    io.run();
    return future.get();
}

} // namespace

int run_sync(const config::configuration& cfg, const sync_request& request, std::ostream& out,
             std::ostream& err) {
    std::vector<const config::account_config*> selected;
    for (const auto& name : request.accounts) {
        const auto* account = cfg.find_account(name);
        if (account == nullptr) {
            fmt::print(err, "postfach: no account named '{}' in {}\n", name, cfg.source.string());
            return to_int(exit_code::usage_or_config);
        }
        selected.push_back(account);
    }
    if (selected.empty())
        for (const auto& a : cfg.accounts)
            selected.push_back(&a);

    bool locked = false, failed = false, guard = false, transient = false;
    for (const auto* account : selected) {
        switch (sync_account(cfg, *account, request, out, err)) {
        case account_status::ok:
            break;
        case account_status::guard:
            guard = true;
            break;
        case account_status::transient:
            transient = true;
            break;
        case account_status::failed:
            failed = true;
            break;
        case account_status::locked:
            locked = true;
            break;
        }
    }
    if (guard)
        fmt::print(err, "postfach: the deletion guard held back deletions (see above); nothing "
                        "was deleted there. Check the Maildir and the account, then run "
                        "`postfach sync --force` if the deletions are intended\n");
    if (locked)
        return to_int(exit_code::locked);
    if (failed)
        return to_int(exit_code::partial_failure);
    if (guard)
        return to_int(exit_code::deletion_guard);
    if (transient)
        return to_int(exit_code::temporary_failure);
    return to_int(exit_code::ok);
}

} // namespace postfach
