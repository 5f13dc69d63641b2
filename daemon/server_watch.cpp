#include "daemon/server_watch.hpp"

#include "daemon/backoff.hpp"
#include "imap/imap_errc.hpp"
#include "imap/mailbox_name.hpp"
#include "sync/folder_filter.hpp"

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
    , selector_(sync::make_folder_selector(account.folders.include, account.folders.exclude))
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
    // No braced lists inside co_await (GCC 12).
    const watch_target all_folders{watch_kind::notify, ""};
    const watch_target inbox{watch_kind::idle, "INBOX"};
    auto end = co_await watch_connection(all_folders);
    if (end == watch_end::no_notify)
        end = co_await watch_connection(inbox);
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

asio::awaitable<server_watch::watch_end>
server_watch::arm(imap::client_session& session, const watch_target& target, bool& armed) {
    armed = false;
    auto& writer = session.fsm().writer();
    imap::command_result r;
    std::error_code ec;
    if (target.kind == watch_kind::notify) {
        if (!session.fsm().has_capability("NOTIFY"))
            co_return watch_end::no_notify;
        std::vector<imap::notify_event_group> groups{
            {"personal",
             {"MessageNew", "MessageExpunge", "FlagChange", "MailboxName", "SubscriptionChange"}}};
        ec = co_await session.run(writer.notify_set(groups), r);
        if (!ec && r.status.status != imap::status_word::ok) {
            spdlog::info("{}: the server refused NOTIFY ({}); watching with IDLE instead",
                         account_.name, r.status.text);
            co_return watch_end::no_notify;
        }
    } else {
        ec = co_await session.run(writer.examine(target.mailbox), r);
    }
    armed = !ec && r.status.status == imap::status_word::ok;
    co_return watch_end::stopped;
}

bool server_watch::wants_pass(const watch_target& target, const imap::watch_events& events) const {
    if (target.kind == watch_kind::idle || events.selected_changed || events.overflow)
        return events.any();
    for (const auto& wire : events.mailboxes) {
        std::string name;
        // A name we cannot decode is not one we could judge: a pass finds out.
        if (imap::decode_mailbox_name(wire, name) || selector_(sync::folder_info{name, {}}))
            return true;
    }
    return false;
}

asio::awaitable<server_watch::watch_end> server_watch::watch_connection(watch_target target) {
    backoff retry;
    bool was_watching = false;
    const auto refresh = idle_refresh(account_);
    const auto what =
        target.kind == watch_kind::notify ? std::string("all folders") : target.mailbox;
    const auto how = target.kind == watch_kind::notify ? "NOTIFY" : "IDLE";
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
        bool armed = false;
        if (const auto end = co_await arm(session, target, armed); end != watch_end::stopped) {
            co_await c->logout();
            co_return end;
        }
        if (!armed) {
            const auto delay = retry.next();
            spdlog::warn("{}: cannot watch {}: {}; trying again in {}", account_.name, what,
                         session.fsm().current_phase() == imap::session_fsm::phase::done
                             ? session.diagnostics()
                             : std::string("refused"),
                         format_delay(delay));
            c->transport().close();
            co_await pause(delay);
            continue;
        }
        // Mail that arrived after the pass scanned a folder but before the watch was armed is
        // seen by neither the pass nor IDLE (which reports only later changes): a pass that
        // starts after arming closes that gap. One that has not started yet serves the request.
        if (was_watching)
            spdlog::info("{}: connected again; catching up", account_.name);
        hooks_.request_pass();
        was_watching = true;
        retry.reset();
        spdlog::info("{}: watching {} with {}", account_.name, what, how);
        set_mode(fmt::format("{} on {}", how, what));
        c->transport().set_read_timeout(refresh + 60s);
        std::error_code ec;
        bool overflow = false;
        while (!stopping_ && !ec && !overflow) {
            imap::idle_result idled;
            ec = co_await session.idle(
                [this, refresh]() -> asio::awaitable<void> {
                    using namespace asio::experimental::awaitable_operators;
                    co_await (stopped() || sleep_for(refresh));
                },
                idled);
            if (ec)
                break;
            const auto events = imap::summarize_watch_events(idled.untagged);
            if (wants_pass(target, events))
                hooks_.request_pass();
            overflow = events.overflow;
        }
        if (!ec && (stopping_ || overflow)) {
            co_await c->logout();
            if (stopping_)
                break;
            // RFC 5465 §5.8: the server sends no more events; arming again brings them back.
            spdlog::info("{}: the server's notifications overflowed; watching again",
                         account_.name);
            continue;
        }
        if (hooks_.on_connection_lost)
            hooks_.on_connection_lost();
        c->transport().close();
        if (ec == imap::imap_errc::command_failed)
            co_return watch_end::idle_refused;
        set_mode(fmt::format("{} connection lost", how));
        const auto delay = retry.next();
        spdlog::warn("{}: the {} connection failed: {}; connecting again in {}", account_.name, how,
                     session.diagnostics(), format_delay(delay));
        co_await pause(delay);
    }
    co_return watch_end::stopped;
}

} // namespace postfach
