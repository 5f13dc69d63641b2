#include "daemon/account_pass.hpp"

#include "daemon/check_failure.hpp"
#include "daemon/imap_account_pass.hpp"
#include "daemon/pop3_account_pass.hpp"
#include "daemon/protocol_fallback.hpp"
#include "daemon/status_keeper.hpp"
#include "imap/connection.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <memory>
#include <spdlog/spdlog.h>

namespace postfach {

sync::task<account_status> run_account_pass(const config::account_config& account,
                                            const sync_request& request, state::state_store& db,
                                            std::ostream& out, std::ostream& err) {
    if (account.protocol == config::protocol_kind::pop3 || !account.imap)
        co_return co_await run_pop3_account_pass(account, pop3_server_of(account), request, db, out,
                                                 err);
    status_keeper status(account, db);
    status.connection(state::connection_state::connecting);
    auto opening = co_await open_imap(account);
    if (opening.connection) {
        const auto result =
            co_await run_imap_account_pass(account, *opening.connection, request, db, out, err);
        co_await opening.connection->logout();
        status.connection(state::connection_state::offline);
        co_return result;
    }
    if (opening.failed) {
        const auto failure =
            describe_check_failure(opening.server, opening.failed->failed_step(), opening.failed_ec,
                                   opening.failed->diagnostics());
        fmt::print(err, "postfach: {}: {}\n", account.name, failure.line);
        status.failure(failure.line);
        status.connection(state::connection_state::offline);
        co_return failure.transient ? account_status::transient : account_status::failed;
    }
    const auto pop3 = pop3_server_of(account);
    spdlog::info("{}: {}", account.name, describe_fallback(opening.reasons, pop3));
    co_return co_await run_pop3_account_pass(account, pop3, request, db, out, err);
}

} // namespace postfach
