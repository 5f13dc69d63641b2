#include "daemon/imap_worker.hpp"

#include "daemon/backoff.hpp"
#include "daemon/check_failure.hpp"
#include "daemon/imap_pass.hpp"
#include "daemon/maildir_watcher.hpp"
#include "imap/imap_errc.hpp"
#include "sync/pass_report.hpp"
#include "util/system_error_advice.hpp"

#include <algorithm>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/system/system_error.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace postfach {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

// An unused pass connection is checked with NOOP before it carries a pass.
constexpr auto health_check_after = 60s;

// A full pass at least this often, even when every change is watched.
constexpr std::chrono::seconds safety_pass_interval = 1h;

std::string format_delay(std::chrono::milliseconds d) {
    return fmt::format("{:.1f} s", std::chrono::duration<double>(d).count());
}

// The end of a pass in the log: the summary, what failed, what the deletion guard held back.
void log_pass(const config::account_config& account, const sync::pass_result& r,
              std::chrono::milliseconds elapsed) {
    if (r.error) {
        spdlog::error("{}: {} failed: {}", account.name, r.error_detail,
                      util::message_with_advice(r.error));
        return;
    }
    for (const auto& f : r.folders) {
        for (const auto& trip : f.plan.guard_trips) {
            sync::folder_plan only_trip{f.folder, {}, {trip}};
            for (const auto& line : sync::describe_plan(only_trip))
                spdlog::warn("{}: {}", account.name, line);
        }
        if (f.error)
            spdlog::error("{}: folder {}: {} failed: {}; the other folders went on", account.name,
                          f.folder, f.error_detail, util::message_with_advice(f.error));
    }
    spdlog::info("{}", sync::summary_line(account.name, r, elapsed));
}

} // namespace

imap_worker::imap_worker(const asio::any_io_executor& executor, std::filesystem::path state_dir,
                         config::account_config account, account_worker_hooks hooks,
                         std::unique_ptr<imap::connection> opened)
    : account_worker(executor, std::move(state_dir), std::move(account), std::move(hooks))
    , pass_due_(executor)
    , never_(executor)
    , server_watch_(executor, account_,
                    {.make_connection = [this] { return make_connection(); },
                     .request_pass = [this] { request_pass(); },
                     .on_mode_change = [this] { notify_state_change(); },
                     .on_connection_lost =
                         [this] {
                             pass_connection_suspect_ = true;
                         }}) {
    if (opened) {
        connection_ = std::move(opened);
        remote_.emplace(connection_->session());
        last_used_ = steady::now();
    }
}

imap_worker::~imap_worker() = default;

std::string imap_worker::mode() const {
    return server_watch_.mode();
}

void imap_worker::request_pass() {
    pass_due_.notify();
}

void imap_worker::on_stop() {
    pass_due_.notify();
    server_watch_.stop();
}

std::unique_ptr<imap::connection> imap_worker::make_connection() {
    return std::make_unique<imap::connection>(
        executor_, *account_.imap, imap::connection_options_for(*account_.imap, account_.name));
}

void imap_worker::drop_pass_connection() {
    remote_.reset();
    if (connection_)
        connection_->transport().close();
    connection_.reset();
}

asio::awaitable<void> imap_worker::work() {
    using namespace asio::experimental::awaitable_operators;
    watcher_ =
        std::make_unique<maildir_watcher>(executor_, account_.maildir, [this] { request_pass(); });
    if (const auto ec = watcher_->start()) {
        spdlog::warn("{}: cannot watch the Maildir ({}); local changes wait for the next poll",
                     account_.name, watcher_->diagnostics());
        watcher_.reset();
    }
    co_await ((pass_loop() && watch_loop()) || watch_local());
}

asio::awaitable<void> imap_worker::watch_local() {
    if (watcher_)
        co_await watcher_->run();
    co_await never_.wait(); // ends when the loops end (the || cancels it)
}

asio::awaitable<void> imap_worker::pass_loop() {
    backoff retry;
    bool due = true;
    auto next_poll = steady::now();
    try {
        while (!stopping_) {
            if (!connection_) {
                state_.set(account_state::connecting);
                auto c = make_connection();
                if (const auto ec = co_await c->open()) {
                    const auto failure = describe_check_failure(*account_.imap, c->failed_step(),
                                                                ec, c->diagnostics());
                    const auto delay = retry.next();
                    spdlog::warn("{}: {}; trying again in {}", account_.name, failure.line,
                                 format_delay(delay));
                    state_.keeper()->failure(failure.line);
                    state_.set(account_state::retrying);
                    co_await pass_due_.wait_for(delay);
                    continue;
                }
                retry.reset();
                connection_ = std::move(c);
                remote_.emplace(connection_->session());
                last_used_ = steady::now();
            } else if (pass_connection_suspect_ ||
                       steady::now() - last_used_ > health_check_after) {
                pass_connection_suspect_ = false;
                imap::command_result r;
                auto& session = connection_->session();
                const auto ec = co_await session.run(session.fsm().writer().noop(), r);
                if (ec || r.status.status != imap::status_word::ok) {
                    spdlog::info("{}: the connection was lost while unused; connecting again",
                                 account_.name);
                    drop_pass_connection();
                    continue;
                }
                last_used_ = steady::now();
            }
            if (due || pass_due_.pending()) {
                due = false;
                // A request made before this pass starts is served by it.
                if (pass_due_.pending())
                    co_await pass_due_.wait();
                co_await run_pass();
                if (!connection_) {
                    due = true; // the connection failed during the pass: again once back
                    const auto delay = retry.next();
                    state_.set(account_state::retrying);
                    co_await pass_due_.wait_for(delay);
                    continue;
                }
                next_poll = steady::now() + full_pass_interval();
            }
            if (stopping_)
                break;
            state_.set(account_state::idle);
            co_await pass_due_.wait_until(next_poll);
            due = true;
        }
    } catch (const boost::system::system_error& e) {
        if (!is_cancellation(e)) {
            // A bug, not a server problem: stop this account, never the others.
            spdlog::error("{}: {}; the account stops", account_.name, e.what());
            stopping_ = true;
            server_watch_.stop();
        }
        throw;
    }
    if (connection_) {
        co_await connection_->logout();
        drop_pass_connection();
    }
}

asio::awaitable<void> imap_worker::run_pass() {
    state_.set(account_state::syncing);
    const auto started = steady::now();
    const auto result =
        co_await run_imap_pass(account_, *remote_, db_, pass_options_for(account_, false, false));
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - started);
    state_.count_pass();
    log_pass(account_, result, elapsed);
    state_.keeper()->pass(result);
    if (hooks_.after_pass)
        hooks_.after_pass(account_, result);
    last_used_ = steady::now();
    if (connection_->session().fsm().current_phase() == imap::session_fsm::phase::done) {
        spdlog::warn("{}: the connection failed: {}", account_.name,
                     connection_->session().diagnostics());
        drop_pass_connection();
    }
}

std::chrono::seconds imap_worker::full_pass_interval() const {
    // While the server watch reports every server change and inotify every local one, the
    // periodic full pass is only a safety net.
    if (server_watch_.covers_everything() && watcher_)
        return std::max<std::chrono::seconds>(account_.poll_interval, safety_pass_interval);
    return account_.poll_interval;
}

asio::awaitable<void> imap_worker::watch_loop() {
    co_await server_watch_.run();
}

} // namespace postfach
