#include "daemon/account_pass.hpp"

#include "daemon/check_failure.hpp"
#include "daemon/imap_account_pass.hpp"
#include "daemon/pop3_account_pass.hpp"
#include "daemon/protocol_fallback.hpp"
#include "daemon/status_keeper.hpp"
#include "imap/connection.hpp"

#include <boost/asio/this_coro.hpp>
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
    auto executor = co_await boost::asio::this_coro::executor;
    status_keeper status(account, db);
    status.connection(state::connection_state::connecting);
    std::vector<std::string> no_imap; // why each IMAP attempt found no IMAP service
    for (const auto& server : imap_attempts(account)) {
        auto connection = std::make_unique<imap::connection>(
            executor, server, imap::connection_options_for(server, account.name));
        const auto ec = co_await connection->open();
        if (!ec) {
            const auto result =
                co_await run_imap_account_pass(account, *connection, request, db, out, err);
            co_await connection->logout();
            status.connection(state::connection_state::offline);
            co_return result;
        }
        if (account.protocol == config::protocol_kind::auto_detect &&
            is_no_imap_service(connection->failed_step(), ec)) {
            no_imap.push_back(fmt::format(
                "{}:{}: {}", server.host, server.port,
                connection->diagnostics().empty() ? ec.message() : connection->diagnostics()));
            continue;
        }
        // Wrong password, certificate, DNS, timeouts: the user must see them, never POP3.
        const auto failure = describe_check_failure(server, connection->failed_step(), ec,
                                                    connection->diagnostics());
        fmt::print(err, "postfach: {}: {}\n", account.name, failure.line);
        status.failure(failure.line);
        status.connection(state::connection_state::offline);
        co_return failure.transient ? account_status::transient : account_status::failed;
    }
    const auto pop3 = pop3_server_of(account);
    spdlog::info("{}: {}", account.name, describe_fallback(no_imap, pop3));
    co_return co_await run_pop3_account_pass(account, pop3, request, db, out, err);
}

} // namespace postfach
