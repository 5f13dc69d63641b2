#include "daemon/account_runner.hpp"

#include "daemon/backoff.hpp"
#include "daemon/check_failure.hpp"
#include "daemon/imap_worker.hpp"
#include "daemon/pop3_account_pass.hpp"
#include "daemon/pop3_worker.hpp"
#include "daemon/protocol_fallback.hpp"

#include <chrono>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

namespace postfach {

namespace asio = boost::asio;

account_runner::account_runner(asio::any_io_executor executor, std::filesystem::path state_dir,
                               config::account_config account, account_worker_hooks hooks)
    : executor_(std::move(executor))
    , state_dir_(std::move(state_dir))
    , account_(std::move(account))
    , hooks_(std::move(hooks))
    , stop_requested_(executor_) {}

account_runner::~account_runner() = default;

void account_runner::start_imap(config::account_config account,
                                std::unique_ptr<imap::connection> opened) {
    worker_ = std::make_unique<imap_worker>(executor_, state_dir_, std::move(account), hooks_,
                                            std::move(opened));
}

void account_runner::start_pop3(config::server_config server) {
    worker_ =
        std::make_unique<pop3_worker>(executor_, state_dir_, account_, std::move(server), hooks_);
}

asio::awaitable<void> account_runner::choose_protocol() {
    backoff retry;
    for (;;) {
        auto opening = co_await open_imap(account_);
        if (!opening.no_imap) {
            start_imap_from(std::move(opening));
            co_return;
        }
        const auto pop3 = pop3_server_of(account_);
        std::string diagnostics;
        const auto unreachable = co_await reach_pop3(pop3, diagnostics);
        if (!unreachable) {
            spdlog::info("{}: protocol auto: {}; kept until a reload", account_.name,
                         describe_fallback(opening.reasons, pop3));
            start_pop3(pop3);
            co_return;
        }
        const auto delay = retry.next();
        spdlog::warn("{}: protocol auto: neither IMAP ({}) nor POP3 ({}:{}: {}) answers; the "
                     "server is down or unreachable; trying both again in {:.1f} s",
                     account_.name, fmt::join(opening.reasons, "; "), pop3.host, pop3.port,
                     diagnostics.empty() ? unreachable.message() : diagnostics,
                     std::chrono::duration<double>(delay).count());
        co_await stop_requested_.wait_for(delay);
        if (stopping_)
            co_return;
    }
}

void account_runner::start_imap_from(imap_opening opening) {
    if (opening.connection) {
        spdlog::info("{}: protocol auto: IMAP at {}:{}; kept until a reload", account_.name,
                     opening.server.host, opening.server.port);
        auto imap = account_;
        imap.imap = opening.server;
        start_imap(std::move(imap), std::move(opening.connection)); // its first pass uses it
    } else if (opening.failed) {
        const auto failure =
            describe_check_failure(opening.server, opening.failed->failed_step(), opening.failed_ec,
                                   opening.failed->diagnostics());
        spdlog::info("{}: protocol auto: IMAP at {}:{} failed ({}), which is no reason to use "
                     "POP3; staying with IMAP",
                     account_.name, opening.server.host, opening.server.port, failure.line);
        start_imap(account_);
    }
}

asio::awaitable<void> account_runner::run() {
    if (account_.protocol == config::protocol_kind::pop3 || !account_.imap)
        start_pop3(pop3_server_of(account_));
    else if (account_.protocol == config::protocol_kind::imap)
        start_imap(account_);
    else
        co_await choose_protocol();
    if (stopping_ || !worker_) {
        worker_.reset();
        co_return;
    }
    if (hooks_.on_state_change)
        hooks_.on_state_change();
    co_await worker_->run();
}

void account_runner::request_pass() {
    // Before the worker exists its first pass serves the request.
    if (worker_)
        worker_->request_pass();
}

void account_runner::stop() {
    stopping_ = true;
    stop_requested_.notify();
    if (worker_)
        worker_->stop();
}

account_setup_status account_runner::setup_status() const {
    return worker_ ? worker_->setup_status() : account_setup_status::ok;
}

std::string account_runner::status() const {
    if (worker_)
        return worker_->status();
    return fmt::format("{}: detecting the protocol", account_.name);
}

} // namespace postfach
