#include "daemon/pop3_worker.hpp"

#include "daemon/backoff.hpp"
#include "daemon/pop3_account_pass.hpp"
#include "daemon/pop3_schedule.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sstream>

namespace postfach {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

std::string in_seconds(steady::duration d) {
    return fmt::format("{:.1f} s", std::chrono::duration<double>(d).count());
}

// The pass's output lines (what `postfach sync` prints) into the log.
void log_lines(const std::string& text, spdlog::level::level_enum level) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("postfach: "))
            line.erase(0, 10);
        spdlog::log(level, "{}", line);
    }
}

std::optional<std::chrono::seconds> seconds_of(const std::optional<std::uint32_t>& s) {
    if (!s)
        return std::nullopt;
    return std::chrono::seconds(*s);
}

} // namespace

pop3_worker::pop3_worker(const asio::any_io_executor& executor, std::filesystem::path state_dir,
                         config::account_config account, config::server_config server,
                         account_worker_hooks hooks)
    : account_worker(executor, std::move(state_dir), std::move(account), std::move(hooks))
    , server_(std::move(server))
    , wake_(executor) {}

std::string pop3_worker::mode() const {
    return fmt::format("POP3 every {} s", account_.poll_interval.count());
}

void pop3_worker::request_pass() {
    requested_ = true;
    wake_.notify();
}

void pop3_worker::on_stop() {
    wake_.notify();
}

asio::awaitable<void> pop3_worker::work() {
    pop3_schedule schedule(account_.poll_interval, steady::now());
    backoff retry;
    std::optional<std::chrono::seconds> announced; // the LOGIN-DELAY last logged
    while (!stopping_) {
        // Wait for the next pass, serving requests (SIGUSR1) as LOGIN-DELAY allows.
        for (;;) {
            if (requested_) {
                requested_ = false;
                const auto now = steady::now();
                const auto answer = schedule.request(now);
                if (answer.deferred)
                    spdlog::info("{}: pass requested; deferred by {} until the server's "
                                 "LOGIN-DELAY of {} s since the last login has passed",
                                 account_.name, in_seconds(answer.at - now),
                                 schedule.login_delay().value_or(0s).count());
            }
            if (stopping_ || steady::now() >= schedule.next_pass())
                break;
            co_await wake_.wait_until(schedule.next_pass());
        }
        if (stopping_)
            break;
        state_.set(account_state::syncing);
        std::ostringstream out, err;
        const sync_request request;
        const auto outcome = co_await run_pop3_pass(account_, server_, request, db_, out, err);
        state_.count_pass();
        log_lines(out.str(), spdlog::level::info);
        log_lines(err.str(), spdlog::level::warn);
        const auto delay = seconds_of(outcome.fetch.login_delay);
        if (outcome.fetch.logged_in && delay != announced) {
            if (delay)
                spdlog::info("{}: the server asks for at least {} s between logins "
                             "(LOGIN-DELAY); polling no more often",
                             account_.name, delay->count());
            announced = delay;
        }
        const auto now = steady::now();
        if (outcome.status == account_status::ok) {
            retry.reset();
            schedule.pass_succeeded(now, outcome.fetch.logged_in, delay);
        } else {
            schedule.pass_failed(now, outcome.fetch.logged_in, delay, outcome.fetch.retry_later,
                                 retry.next());
            spdlog::info("{}: next POP3 pass in {}", account_.name,
                         in_seconds(schedule.next_pass() - now));
        }
        if (hooks_.after_pass && !outcome.summary.folders.empty())
            hooks_.after_pass(account_, outcome.summary);
        state_.set(outcome.status == account_status::ok ? account_state::idle
                                                        : account_state::retrying);
    }
}

} // namespace postfach
