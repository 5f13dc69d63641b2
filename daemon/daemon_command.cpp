#include "daemon/daemon_command.hpp"

#include "config/config_loader.hpp"
#include "daemon/account_runner.hpp"
#include "daemon/exit_code.hpp"
#include "daemon/followup_timer.hpp"
#include "daemon/service_notifier.hpp"
#include "daemon/trigger.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <fmt/format.h>
#include <list>
#include <memory>
#include <optional>
#include <spdlog/spdlog.h>

namespace postfach {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// Passes in flight get this long after SIGTERM before they are cancelled; logging out and
// exiting fit in the rest of systemd's and design.md's 10 s.
constexpr auto graceful_stop = 8s;
// Hooks still running this long after SIGTERM are killed, those not started dropped.
constexpr auto hooks_stop = 9s;

class supervisor {
public:
    supervisor(asio::io_context& io, config::configuration cfg, daemon_request request)
        : io_(io)
        , cfg_(std::move(cfg))
        , request_(std::move(request))
        , signals_(io, SIGTERM, SIGINT, SIGHUP)
        , watchdog_timer_(io)
        , workers_changed_(io.get_executor()) {
        signals_.add(SIGUSR1);
    }

    int run() {
        std::vector<config::account_config> accounts;
        if (!select_accounts(cfg_, accounts))
            return to_int(exit_code::usage_or_config);
        start_workers(accounts);
        asio::co_spawn(io_, handle_signals(), asio::detached);
        asio::co_spawn(io_, send_watchdog(), asio::detached);
        asio::post(io_, [this] {
            notifier_.ready();
            publish_status();
        });
        io_.run();
        if (stopped_by_signal_)
            return to_int(exit_code::ok);
        const bool locked = std::any_of(workers_.begin(), workers_.end(), [](const running& r) {
            return r.worker->setup_status() == account_setup_status::locked;
        });
        return to_int(locked ? exit_code::locked : exit_code::partial_failure);
    }

private:
    struct running {
        std::unique_ptr<followup_timer> followup; // outlives the worker that feeds it
        std::unique_ptr<account_runner> worker;
        asio::cancellation_signal cancel;
        bool done = false;
    };

    // The accounts of cfg named by --account (all without it); false if a name is missing.
    bool select_accounts(const config::configuration& cfg,
                         std::vector<config::account_config>& out) const {
        out.clear();
        for (const auto& name : request_.accounts) {
            const auto* account = cfg.find_account(name);
            if (account == nullptr) {
                spdlog::error("no account named '{}' in {}", name, cfg.source.string());
                return false;
            }
            out.push_back(*account);
        }
        if (request_.accounts.empty())
            out = cfg.accounts;
        return true;
    }

    void start_workers(const std::vector<config::account_config>& accounts) {
        for (const auto& account : accounts) {
            auto& r = workers_.emplace_back();
            account_worker_hooks hooks;
            hooks.on_state_change = [this] {
                publish_status();
            };
            // hooks.on_new_mail (debounced) and mailboxes_file; the status record of `postfach
            // status` is the worker's.
            r.followup = std::make_unique<followup_timer>(io_.get_executor(), account);
            hooks.after_pass = [f = r.followup.get()](const config::account_config&,
                                                      const sync::pass_result& result) {
                f->pass_done(result);
            };
            r.worker = std::make_unique<account_runner>(io_.get_executor(), cfg_.state_dir, account,
                                                        std::move(hooks));
            asio::co_spawn(
                io_, r.worker->run(),
                asio::bind_cancellation_slot(
                    r.cancel.slot(), [this, &r](std::exception_ptr e) { worker_ended(r, e); }));
        }
    }

    void worker_ended(running& r, std::exception_ptr e) {
        r.done = true;
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                spdlog::error("{}: {}", r.worker->account().name, ex.what());
            }
        }
        workers_changed_.notify();
        publish_status();
        // Every account gave up on its own (locked, no state): nothing left to do.
        if (!changing_workers_ && all_done())
            finish();
    }

    [[nodiscard]] bool all_done() const {
        return std::all_of(workers_.begin(), workers_.end(),
                           [](const running& r) { return r.done; });
    }

    void finish() {
        signals_.cancel();
        watchdog_timer_.cancel();
        finished_ = true;
    }

    // exiting: hooks get until hooks_stop after now; on a reload they finish (each bounded by
    // the hook timeout).
    asio::awaitable<void> stop_workers(bool exiting) {
        using namespace asio::experimental::awaitable_operators;
        changing_workers_ = true;
        std::optional<std::chrono::steady_clock::time_point> hooks_deadline;
        if (exiting)
            hooks_deadline = std::chrono::steady_clock::now() + hooks_stop;
        for (auto& r : workers_)
            r.worker->stop();
        asio::steady_timer deadline(io_, graceful_stop);
        while (!all_done()) {
            const auto woke = co_await (workers_changed_.wait() ||
                                        deadline.async_wait(asio::as_tuple(asio::use_awaitable)));
            if (woke.index() == 1)
                break;
        }
        if (!all_done()) {
            spdlog::warn("a pass is still running after {} s; cancelling it (its state so far is "
                         "committed)",
                         graceful_stop.count());
            for (auto& r : workers_)
                if (!r.done)
                    r.cancel.emit(asio::cancellation_type::terminal);
            while (!all_done())
                co_await workers_changed_.wait();
        }
        // New mail waiting out its debounce window gets its hook now, not never.
        for (auto& r : workers_)
            r.followup->flush(hooks_deadline);
        changing_workers_ = false;
    }

    asio::awaitable<void> handle_signals() {
        for (;;) {
            const auto [ec, signal] =
                co_await signals_.async_wait(asio::as_tuple(asio::use_awaitable));
            if (ec || finished_)
                co_return;
            switch (signal) {
            case SIGTERM:
            case SIGINT:
                spdlog::info("stopping ({})", signal == SIGTERM ? "SIGTERM" : "SIGINT");
                notifier_.stopping();
                stopped_by_signal_ = true;
                co_await stop_workers(true);
                finish();
                co_return;
            case SIGHUP:
                co_await reload();
                break;
            case SIGUSR1:
                spdlog::info("SIGUSR1: a full pass of every account now");
                for (auto& r : workers_)
                    r.worker->request_pass();
                break;
            default:
                break;
            }
        }
    }

    asio::awaitable<void> reload() {
        auto loaded = config::load_config_file(request_.config_file, request_.env);
        if (!loaded.config) {
            for (const auto& e : loaded.errors)
                spdlog::error("{}", e.to_string());
            spdlog::error("SIGHUP: {} problem{} in the new configuration; keeping the old one",
                          loaded.errors.size(), loaded.errors.size() == 1 ? "" : "s");
            co_return;
        }
        std::vector<config::account_config> accounts;
        if (!select_accounts(*loaded.config, accounts)) {
            spdlog::error("SIGHUP: keeping the old configuration");
            co_return;
        }
        spdlog::info("SIGHUP: reloading {}", request_.config_file.string());
        notifier_.reloading();
        co_await stop_workers(false);
        workers_.clear();
        cfg_ = std::move(*loaded.config);
        changing_workers_ = true;
        start_workers(accounts);
        changing_workers_ = false;
        notifier_.ready();
        publish_status();
    }

    asio::awaitable<void> send_watchdog() {
        const auto interval = service_notifier::watchdog_interval();
        if (!interval)
            co_return;
        for (;;) {
            notifier_.watchdog();
            watchdog_timer_.expires_after(*interval);
            const auto [ec] =
                co_await watchdog_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
            if (ec || finished_)
                co_return;
        }
    }

    void publish_status() {
        std::string line;
        for (const auto& r : workers_) {
            if (!line.empty())
                line += "; ";
            line += r.worker->status();
        }
        if (line != last_status_) {
            last_status_ = line;
            notifier_.status(line);
        }
    }

    asio::io_context& io_;
    config::configuration cfg_;
    daemon_request request_;
    asio::signal_set signals_;
    asio::steady_timer watchdog_timer_;
    trigger workers_changed_;
    service_notifier notifier_;
    std::list<running> workers_; // stable addresses: completion handlers hold references
    bool changing_workers_ = false;
    bool stopped_by_signal_ = false;
    bool finished_ = false;
    std::string last_status_;
};

} // namespace

int run_daemon(config::configuration cfg, daemon_request request) {
    asio::io_context io(1);
    supervisor s(io, std::move(cfg), std::move(request));
    return s.run();
}

} // namespace postfach
