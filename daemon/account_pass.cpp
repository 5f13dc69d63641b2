#include "daemon/account_pass.hpp"

#include "daemon/account_setup.hpp"
#include "daemon/check_failure.hpp"
#include "daemon/imap_account_pass.hpp"
#include "daemon/pop3_account_pass.hpp"
#include "daemon/protocol_fallback.hpp"
#include "daemon/status_keeper.hpp"
#include "imap/connection.hpp"
#include "util/blocking_worker.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <functional>
#include <memory>
#include <spdlog/spdlog.h>

namespace postfach {

namespace {

// Opens the account's state on a worker thread: the loop meanwhile connects, so the SQLite open
// (file locks, reading back the WAL) overlaps the TCP and TLS handshakes and the login, which
// mostly wait for the server. Returns whether `db` is open; `message` says why not.
sync::task<bool> open_state_aside(std::filesystem::path state_dir,
                                  const config::account_config& account, state::state_store& db,
                                  std::string& message) {
    bool opened = false;
    util::blocking_worker worker; // after what the job writes: its destructor waits for the job
    std::function<std::error_code()> job = [&] {
        opened = open_account_state(state_dir, account, db, message);
        return std::error_code();
    };
    if (co_await worker.run(std::move(job)))
        co_return false; // cancelled: the job ends before the worker's destructor returns
    if (opened)
        status_keeper(account, db).connection(state::connection_state::connecting);
    co_return opened;
}

} // namespace

sync::task<account_status> run_account_pass(const config::account_config& account,
                                            const sync_request& request,
                                            std::filesystem::path state_dir, state::state_store& db,
                                            std::ostream& out, std::ostream& err) {
    using namespace boost::asio::experimental::awaitable_operators;
    std::string state_message;
    if (account.protocol == config::protocol_kind::pop3 || !account.imap) {
        if (!open_account_state(state_dir, account, db, state_message)) {
            fmt::print(err, "postfach: {}\n", state_message);
            co_return account_status::failed;
        }
        co_return co_await run_pop3_account_pass(account, pop3_server_of(account), request, db, out,
                                                 err);
    }
    auto opening_state = open_state_aside(state_dir, account, db, state_message);
    auto connecting = open_imap(account);
    auto [state_open, opening] = co_await (std::move(opening_state) && std::move(connecting));
    if (!state_open) {
        fmt::print(err, "postfach: {}\n", state_message);
        if (opening.connection)
            co_await opening.connection->logout();
        co_return account_status::failed;
    }
    status_keeper status(account, db);
    if (opening.connection) {
        const auto result =
            co_await run_imap_account_pass(account, *opening.connection, request, db, out, err);
        // What the pass did is recorded: the LOGOUT's answer would only cost a round trip
        // (logout reads it when commands are still in flight).
        co_await opening.connection->logout(imap::logout_wait::until_sent);
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
