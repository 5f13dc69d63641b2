#include "daemon/migrate_command.hpp"

#include "daemon/check_failure.hpp"
#include "daemon/exit_code.hpp"
#include "imap/connection.hpp"
#include "imap/imap_store.hpp"
#include "maildir/folder_layout.hpp"
#include "maildir/internal_date.hpp"
#include "maildir/maildir_folder.hpp"
#include "maildir/maildir_store.hpp"
#include "net/net_errc.hpp"
#include "state/account_lock.hpp"
#include "state/state_errc.hpp"
#include "sync/migration.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <fmt/format.h>
#include <fmt/ostream.h>

namespace postfach {

namespace {

namespace fs = std::filesystem;

// Maildir++ when DIR itself is a maildir (INBOX at the root, as Dovecot, Courier and most POP3
// clients leave it), else one directory per folder.
maildir::layout_kind detect_layout(const fs::path& dir) {
    std::error_code ec;
    return fs::is_directory(dir / "cur", ec) ? maildir::layout_kind::maildir_plus_plus
                                             : maildir::layout_kind::verbatim;
}

sync::task<int> migrate(const config::account_config& account, const migrate_request& request,
                        std::ostream& out, std::ostream& err) {
    const auto started = std::chrono::steady_clock::now();
    const auto& server = *account.imap;
    imap::connection connection(co_await boost::asio::this_coro::executor, server,
                                imap::connection_options_for(server, account.name));
    if (auto ec = co_await connection.open()) {
        const auto failure =
            describe_check_failure(server, connection.failed_step(), ec, connection.diagnostics());
        fmt::print(err, "postfach: {}: {}\n", account.name, failure.line);
        co_return to_int(failure.transient ? exit_code::temporary_failure
                                           : exit_code::partial_failure);
    }
    const maildir::folder_layout layout(request.from_maildir, detect_layout(request.from_maildir));
    maildir::maildir_store local(layout);
    imap::imap_store remote(connection.session());

    sync::migration_options options;
    options.dry_run = request.dry_run;
    options.date_of = [&layout](const std::string& folder, const std::string& id) {
        std::error_code ec;
        const auto dir = layout.folder_dir(folder, ec);
        maildir::message_entry entry;
        if (ec || maildir::maildir_folder(dir).find(id, entry))
            return std::int64_t{0}; // the server's "now"; the upload itself will fail anyway
        return maildir::internal_date_of(entry.path(dir), entry.mtime);
    };
    if (request.dry_run)
        options.on_upload = [&](const std::string& folder, const sync::scanned_message& m) {
            const auto flags = sync::flag_letters(m.flags);
            fmt::print(out, "{}: {}: upload {}{}\n", account.name, folder, m.id,
                       flags.empty() ? "" : fmt::format(" ({})", flags));
        };
    const auto r = co_await sync::migrate_messages(local, remote, options);
    co_await connection.logout();
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    fmt::print(out,
               "{}: {} from {}: {} {} ({:.1f} MB), {} already on the server, {} folder{} ({} "
               "{}), {:.1f} s\n",
               account.name, request.dry_run ? "dry run" : "migrated",
               request.from_maildir.string(), request.dry_run ? "would upload" : "uploaded",
               r.uploaded, static_cast<double>(r.bytes) / 1e6, r.already_there, r.folders,
               r.folders == 1 ? "" : "s", r.folders_created,
               request.dry_run ? "to create" : "created",
               static_cast<double>(elapsed.count()) / 1000.0);
    if (r.error) {
        fmt::print(err,
                   "postfach: {}: migrate stopped while {}: {} ({}); what was uploaded stays, and "
                   "running migrate again resumes\n",
                   account.name, r.error_detail, r.error.message(), connection.diagnostics());
        co_return to_int(net::is_transient(r.error) ? exit_code::temporary_failure
                                                    : exit_code::partial_failure);
    }
    co_return to_int(exit_code::ok);
}

} // namespace

int run_migrate(const config::configuration& cfg, const migrate_request& request, std::ostream& out,
                std::ostream& err) {
    const auto* account = cfg.find_account(request.account);
    if (account == nullptr) {
        fmt::print(err, "postfach: no account named '{}' in {}\n", request.account,
                   cfg.source.string());
        return to_int(exit_code::usage_or_config);
    }
    if (!account->imap || account->protocol == config::protocol_kind::pop3) {
        fmt::print(err,
                   "postfach: {}: migrate uploads into an IMAP account, and this one has protocol "
                   "pop3; give it an imap block and protocol imap (or auto) first\n",
                   account->name);
        return to_int(exit_code::usage_or_config);
    }
    std::error_code ec;
    if (!fs::is_directory(request.from_maildir, ec)) {
        fmt::print(err, "postfach: {}: --from-maildir {} is not a directory\n", account->name,
                   request.from_maildir.string());
        return to_int(exit_code::usage_or_config);
    }
    state::account_lock lock;
    pid_t holder = 0;
    if (auto lock_ec = state::account_lock::acquire(cfg.state_dir, account->name, lock, holder)) {
        if (lock_ec == state::state_errc::locked) {
            fmt::print(err, "postfach: {}\n",
                       state::account_lock::contention_message(account->name, holder));
            return to_int(exit_code::locked);
        }
        fmt::print(err, "postfach: {}: cannot lock {}: {}\n", account->name, cfg.state_dir.string(),
                   lock_ec.message());
        return to_int(exit_code::partial_failure);
    }
    boost::asio::io_context io;
    auto future =
        boost::asio::co_spawn(io, migrate(*account, request, out, err), boost::asio::use_future);
    io.run();
    return future.get();
}

} // namespace postfach
