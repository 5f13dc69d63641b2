#include "daemon/server_watch.hpp"

#include "daemon/backoff.hpp"
#include "imap/imap_errc.hpp"
#include "imap/mailbox_name.hpp"
#include "imap/status_tracker.hpp"
#include "sync/folder_filter.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <fmt/format.h>
#include <fmt/ranges.h>
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
    const watch_target all_folders{watch_kind::notify, "", false, true};
    const auto end = co_await watch_connection(all_folders);
    if (end == watch_end::no_notify || end == watch_end::no_idle) {
        co_await watch_without_notify(end == watch_end::no_idle);
    } else if (end == watch_end::idle_refused) {
        spdlog::info("{}: the server refused IDLE; polling every {} s", account_.name,
                     account_.poll_interval.count());
        set_mode("polling (IDLE refused)");
    }
}

asio::awaitable<void> server_watch::watch_without_notify(bool no_idle) {
    const auto budget = account_.max_connections - 1; // one is the pass connection's
    if (budget == 0) {
        spdlog::info("{}: max_connections 1 leaves no connection to watch with; polling every "
                     "{} s",
                     account_.name, account_.poll_interval.count());
        set_mode(
            fmt::format("polling every {} s (max_connections 1)", account_.poll_interval.count()));
        co_return;
    }
    std::vector<std::string> folders;
    if (!co_await list_folders(folders))
        co_return; // stopped
    std::vector<watch_target> targets;
    if (no_idle) {
        spdlog::info("{}: the server offers no IDLE", account_.name);
        polled_ = folders;
        targets.push_back(watch_target{watch_kind::poll, "", true, true});
        watching_mode_ = fmt::format("STATUS polling of {} folders every {} s", polled_.size(),
                                     account_.poll_interval.count());
    } else {
        // The most active folders first (order_folders).
        const auto idled = std::min<std::size_t>(budget, folders.size());
        polled_.assign(folders.begin() + static_cast<std::ptrdiff_t>(idled), folders.end());
        for (std::size_t i = 0; i < idled; ++i) {
            idled_.insert(folders[i]);
            // The first connection also polls the rest, between its IDLE rounds; with LIST-STATUS
            // even when no folder is left, since its polls see folders made on the server.
            targets.push_back(watch_target{watch_kind::idle, folders[i], i == 0, i == 0});
        }
        watching_mode_ = fmt::format("IDLE on {} folder{}", idled, idled == 1 ? "" : "s");
        if (!polled_.empty())
            watching_mode_ += fmt::format(", STATUS polling of {} every {} s", polled_.size(),
                                          account_.poll_interval.count());
    }
    co_await watch_all(std::move(targets));
}

asio::awaitable<void> server_watch::watch_all(std::vector<watch_target> targets) {
    using namespace asio::experimental::awaitable_operators;
    if (targets.empty())
        co_return;
    const auto first = targets.front();
    targets.erase(targets.begin());
    if (targets.empty())
        co_await watch_connection(first);
    else
        co_await (watch_connection(first) && watch_all(std::move(targets)));
}

asio::awaitable<bool> server_watch::list_folders(std::vector<std::string>& folders) {
    backoff retry;
    while (!stopping_) {
        auto c = hooks_.make_connection();
        if (const auto ec = co_await c->open(); !ec) {
            auto& session = c->session();
            imap::list_return_options options;
            options.special_use = session.fsm().has_capability("SPECIAL-USE");
            imap::command_result r;
            const auto list_ec =
                co_await session.run(session.fsm().writer().list("", "*", options), r);
            if (!list_ec && r.status.status == imap::status_word::ok) {
                co_await c->logout();
                folders = order_folders(r.untagged);
                co_return true;
            }
        }
        const auto delay = retry.next();
        spdlog::debug("{}: listing the folders to watch: {}; trying again in {}", account_.name,
                      c->diagnostics(), format_delay(delay));
        c->transport().close();
        co_await pause(delay);
    }
    co_return false;
}

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

} // namespace

std::vector<std::string>
server_watch::order_folders(const std::vector<imap::response>& listed) const {
    std::vector<std::string> inbox, plain, special;
    for (const auto& r : listed) {
        const auto* l = std::get_if<imap::list_data>(&r);
        if (l == nullptr)
            continue;
        const auto has = [&](std::string_view attribute) {
            return std::any_of(l->attributes.begin(), l->attributes.end(),
                               [&](const std::string& a) { return iequals(a, attribute); });
        };
        if (has("\\Noselect") || has("\\NonExistent"))
            continue;
        std::string special_use;
        for (const char* use :
             {"\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash"})
            if (has(use))
                special_use = use;
        std::string name;
        if (imap::decode_mailbox_name(l->mailbox, name) ||
            !selector_(sync::folder_info{name, special_use}))
            continue;
        if (iequals(name, "INBOX"))
            inbox.push_back(l->mailbox);
        else if (special_use.empty())
            plain.push_back(l->mailbox);
        else
            special.push_back(l->mailbox);
    }
    inbox.insert(inbox.end(), plain.begin(), plain.end());
    inbox.insert(inbox.end(), special.begin(), special.end());
    return inbox;
}

bool server_watch::is_polled(const std::string& wire) const {
    if (idled_.contains(wire))
        return false;
    std::string name;
    return imap::decode_mailbox_name(wire, name) || selector_(sync::folder_info{name, {}});
}

asio::awaitable<std::error_code> server_watch::poll(imap::client_session& session,
                                                    imap::status_tracker& tracker) {
    std::vector<std::string> items{"MESSAGES", "UIDNEXT", "UIDVALIDITY"};
    if (session.fsm().has_capability("CONDSTORE"))
        items.emplace_back("HIGHESTMODSEQ");
    auto& writer = session.fsm().writer();
    std::vector<imap::response> answers;
    const bool list_status = session.fsm().has_capability("LIST-STATUS");
    if (list_status) {
        // RFC 5819: one command for every folder, and new folders show up in it.
        imap::list_return_options options;
        options.status_items = items;
        imap::command_result r;
        if (const auto ec = co_await session.run(writer.list("", "*", options), r))
            co_return ec;
        answers = std::move(r.untagged);
    } else {
        for (const auto& folder : polled_) {
            imap::command_result r;
            if (const auto ec = co_await session.run(writer.status(folder, items), r))
                co_return ec;
            answers.insert(answers.end(), r.untagged.begin(), r.untagged.end());
        }
    }
    const bool baseline = !tracker.has_baseline();
    std::vector<std::string> changed;
    for (auto& name : tracker.update(answers, list_status))
        if (is_polled(name))
            changed.push_back(std::move(name));
    if (baseline) {
        spdlog::debug("{}: STATUS poll: first look", account_.name);
    } else if (changed.empty()) {
        spdlog::debug("{}: STATUS poll: no change", account_.name);
    } else {
        spdlog::debug("{}: STATUS poll: {} changed", account_.name, fmt::join(changed, ", "));
        hooks_.request_pass();
    }
    co_return std::error_code();
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
    } else if (target.kind == watch_kind::idle) {
        ec = co_await session.run(writer.examine(target.mailbox), r);
    } else {
        armed = true; // polling needs no folder selected
        co_return watch_end::stopped;
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
    using steady = std::chrono::steady_clock;
    backoff retry;
    bool was_watching = false;
    const auto refresh = idle_refresh(account_);
    std::string what = target.mailbox;
    std::string how = "IDLE";
    if (target.kind == watch_kind::notify) {
        what = "all folders";
        how = "NOTIFY";
    } else if (target.kind == watch_kind::poll) {
        what = fmt::format("{} folders", polled_.size());
        how = fmt::format("STATUS polling every {} s", account_.poll_interval.count());
    }
    // IDLE rounds end in time for the polls this connection does between them.
    const auto idle_round =
        target.polls ? std::min<std::chrono::seconds>(refresh, account_.poll_interval) : refresh;
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
        if (target.kind != watch_kind::poll && !session.fsm().has_capability("IDLE")) {
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
        if (target.primary)
            covering_ = true;
        set_mode(target.kind == watch_kind::notify ? fmt::format("{} on {}", how, what)
                                                   : watching_mode_);
        c->transport().set_read_timeout(refresh + 60s);
        std::error_code ec;
        bool overflow = false;
        imap::status_tracker tracker; // a new connection starts after a pass: a new baseline
        auto next_poll = steady::now();
        while (!stopping_ && !ec && !overflow) {
            if (target.polls && steady::now() >= next_poll) {
                if ((ec = co_await poll(session, tracker)))
                    break;
                next_poll = steady::now() + account_.poll_interval;
            }
            if (target.kind == watch_kind::poll) {
                co_await pause(std::chrono::duration_cast<std::chrono::milliseconds>(
                    next_poll - steady::now()));
                continue;
            }
            imap::idle_result idled;
            ec = co_await session.idle(
                [this, idle_round]() -> asio::awaitable<void> {
                    using namespace asio::experimental::awaitable_operators;
                    co_await (stopped() || sleep_for(idle_round));
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
        if (target.primary)
            covering_ = false;
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
