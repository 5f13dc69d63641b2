#include "daemon/server_watch.hpp"

#include "daemon/backoff.hpp"
#include "imap/imap_errc.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace postfach {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// How often IDLE is ended and started again: a health check of the watch connection, and
// RFC 2177's "re-issue at least every 29 minutes".
std::chrono::seconds idle_refresh(const config::account_config& account) {
    return std::clamp<std::chrono::seconds>(account.poll_interval, 30s, 25min);
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds delay) {
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::use_awaitable);
}

std::string format_delay(std::chrono::milliseconds d) {
    return fmt::format("{:.1f} s", std::chrono::duration<double>(d).count());
}

} // namespace

server_watch::server_watch(asio::any_io_executor executor, const config::account_config& account,
                           server_watch_hooks hooks)
    : account_(account)
    , hooks_(std::move(hooks))
    , stop_timer_(executor, std::chrono::steady_clock::time_point::max()) {}

void server_watch::stop() {
    stopping_ = true;
    stop_timer_.cancel();
}

asio::awaitable<void> server_watch::stopped() {
    if (stopping_)
        co_return;
    co_await stop_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> server_watch::pause(std::chrono::milliseconds delay) {
    using namespace asio::experimental::awaitable_operators;
    co_await (stopped() || sleep_for(delay));
}

void server_watch::set_mode(std::string mode) {
    mode_ = std::move(mode);
    if (hooks_.on_mode_change)
        hooks_.on_mode_change();
}

asio::awaitable<void> server_watch::run() {
    if (!account_.idle) {
        mode_ = fmt::format("polling every {} s", account_.poll_interval.count());
        co_return;
    }
    const auto end = co_await watch_connection("INBOX");
    if (end == watch_end::no_idle) {
        spdlog::info("{}: the server offers no IDLE; polling every {} s", account_.name,
                     account_.poll_interval.count());
        set_mode(fmt::format("polling every {} s (no IDLE)", account_.poll_interval.count()));
    } else if (end == watch_end::idle_refused) {
        spdlog::info("{}: the server refused IDLE; polling every {} s", account_.name,
                     account_.poll_interval.count());
        set_mode("polling (IDLE refused)");
    }
}

asio::awaitable<server_watch::watch_end> server_watch::watch_connection(std::string mailbox) {
    backoff retry;
    bool was_watching = false;
    const auto refresh = idle_refresh(account_);
    while (!stopping_) {
        auto c = hooks_.make_connection();
        if (const auto ec = co_await c->open()) {
            const auto delay = retry.next();
            spdlog::debug("{}: watch connection: {}; trying again in {}", account_.name,
                          c->diagnostics(), format_delay(delay));
            co_await pause(delay);
            continue;
        }
        auto& session = c->session();
        if (!session.fsm().has_capability("IDLE")) {
            co_await c->logout();
            co_return watch_end::no_idle;
        }
        imap::command_result examined;
        if (const auto ec = co_await session.run(session.fsm().writer().examine(mailbox), examined);
            ec || examined.status.status != imap::status_word::ok) {
            const auto delay = retry.next();
            spdlog::warn("{}: cannot watch {}: {}; trying again in {}", account_.name, mailbox,
                         ec ? session.diagnostics() : std::string("EXAMINE refused"),
                         format_delay(delay));
            c->transport().close();
            co_await pause(delay);
            continue;
        }
        // Mail that arrived after the pass scanned the folder but before this EXAMINE is seen by
        // neither the pass nor IDLE (which reports only later changes): a pass that starts
        // after the EXAMINE closes that gap. One that has not started yet serves the request.
        if (was_watching)
            spdlog::info("{}: connected again; catching up", account_.name);
        hooks_.request_pass();
        was_watching = true;
        retry.reset();
        spdlog::info("{}: watching {} with IDLE", account_.name, mailbox);
        set_mode(fmt::format("IDLE on {}", mailbox));
        c->transport().set_read_timeout(refresh + 60s);
        std::error_code ec;
        while (!stopping_ && !ec) {
            imap::idle_result idled;
            ec = co_await session.idle(
                [this, refresh]() -> asio::awaitable<void> {
                    using namespace asio::experimental::awaitable_operators;
                    co_await (stopped() || sleep_for(refresh));
                },
                idled);
            if (!ec && idled.server_woke)
                hooks_.request_pass();
        }
        if (stopping_ && !ec) {
            co_await c->logout();
            break;
        }
        if (hooks_.on_connection_lost)
            hooks_.on_connection_lost();
        c->transport().close();
        if (ec == imap::imap_errc::command_failed)
            co_return watch_end::idle_refused;
        set_mode(fmt::format("IDLE connection lost ({})", mailbox));
        const auto delay = retry.next();
        spdlog::warn("{}: the IDLE connection failed: {}; connecting again in {}", account_.name,
                     session.diagnostics(), format_delay(delay));
        co_await pause(delay);
    }
    co_return watch_end::stopped;
}

} // namespace postfach
