#include "daemon/sync_command.hpp"

#include "daemon/account_selection.hpp"
#include "daemon/account_setup.hpp"
#include "daemon/exit_code.hpp"
#include "state/state_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

namespace postfach {

namespace {

account_status sync_account(const config::configuration& cfg, const config::account_config& account,
                            const sync_request& request, std::ostream& out, std::ostream& err) {
    // One postfach per account (design.md §3): the lock is held until this returns.
    state::account_lock lock;
    std::string message;
    switch (lock_account(cfg.state_dir, account, lock, message)) {
    case account_setup_status::ok:
        break;
    case account_setup_status::locked:
        fmt::print(err, "postfach: {}\n", message);
        return account_status::locked;
    case account_setup_status::failed:
        fmt::print(err, "postfach: {}\n", message);
        return account_status::failed;
    }
    state::state_store db; // opened by the pass, while it connects
    boost::asio::io_context io;
    auto future =
        boost::asio::co_spawn(io, run_account_pass(account, request, cfg.state_dir, db, out, err),
                              boost::asio::use_future);
    io.run();
    return future.get();
}

} // namespace

int run_sync(const config::configuration& cfg, const sync_request& request, std::ostream& out,
             std::ostream& err) {
    std::vector<const config::account_config*> selected;
    if (!select_accounts(cfg, request.accounts, err, selected))
        return to_int(exit_code::usage_or_config);

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
