#include "daemon/hook_runner.hpp"

#include "util/subprocess.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace postfach {
namespace {

constexpr std::size_t kept_outcomes = 64;
constexpr std::size_t kept_stderr = 400; // bytes of a failing hook's stderr in the log

std::string stderr_excerpt(std::string err) {
    while (!err.empty() && (err.back() == '\n' || err.back() == '\r'))
        err.pop_back();
    if (err.size() > kept_stderr)
        err = err.substr(0, kept_stderr) + "…";
    return err;
}

} // namespace

hook_runner::hook_runner(std::string account, std::vector<std::string> argv, hook_options options)
    : account_(std::move(account))
    , argv_(std::move(argv))
    , options_(options) {
    if (configured())
        worker_ = std::jthread([this](std::stop_token stop) { work(stop); });
}

hook_runner::~hook_runner() {
    if (!worker_.joinable())
        return;
    wait_idle();
    worker_.request_stop();
    changed_.notify_all();
    worker_.join();
}

void hook_runner::submit(std::vector<new_mail_batch> batches) {
    if (!configured() || batches.empty())
        return;
    {
        std::lock_guard lock(mutex_);
        for (auto& b : batches)
            queue_.push_back(std::move(b));
    }
    changed_.notify_all();
}

void hook_runner::wait_idle() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return queue_.empty() && !running_; });
}

void hook_runner::finish_by(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    if (changed_.wait_until(lock, deadline, [&] { return queue_.empty() && !running_; }))
        return;
    if (!queue_.empty())
        spdlog::warn("{}: postfach is exiting; {} on_new_mail hook run(s) dropped (the mail is "
                     "synced)",
                     account_, queue_.size());
    queue_.clear();
    cut_short_.request_stop();
    changed_.wait(lock, [&] { return !running_; });
}

std::vector<hook_outcome> hook_runner::outcomes() const {
    std::lock_guard lock(mutex_);
    return {outcomes_.begin(), outcomes_.end()};
}

void hook_runner::work(const std::stop_token& stop) {
    std::unique_lock lock(mutex_);
    while (true) {
        changed_.wait(lock, stop, [&] { return !queue_.empty(); });
        if (queue_.empty())
            return; // stop requested with nothing left
        auto batch = std::move(queue_.front());
        queue_.pop_front();
        running_ = true;
        cut_short_ = std::stop_source();
        const auto cut_short = cut_short_.get_token();
        lock.unlock();
        auto outcome = run_one(batch, cut_short);
        lock.lock();
        running_ = false;
        outcomes_.push_back(std::move(outcome));
        if (outcomes_.size() > kept_outcomes)
            outcomes_.pop_front();
        changed_.notify_all();
    }
}

hook_outcome hook_runner::run_one(const new_mail_batch& batch, std::stop_token stop) const {
    util::run_options options;
    options.timeout = options_.timeout;
    options.stop = std::move(stop);
    options.max_output = 64 * 1024;
    options.extra_environment = {"POSTFACH_ACCOUNT=" + account_, "POSTFACH_FOLDER=" + batch.folder,
                                 "POSTFACH_NEW_COUNT=" + std::to_string(batch.count)};
    util::run_result result;
    hook_outcome outcome;
    outcome.batch = batch;
    if (auto ec = util::run_process(argv_, options, result)) {
        outcome.problem = fmt::format("could not run {}: {}", argv_.front(), ec.message());
    } else if (!result.succeeded()) {
        outcome.problem = result.describe_end(options_.timeout);
        if (const auto err = stderr_excerpt(result.err); !err.empty())
            outcome.problem += ": " + err;
    } else {
        outcome.ok = true;
    }
    if (outcome.ok)
        spdlog::debug("{}: on_new_mail hook for {} ({} new) done", account_, batch.folder,
                      batch.count);
    else
        spdlog::warn("{}: on_new_mail hook for {} ({} new) {}; mail is synced regardless", account_,
                     batch.folder, batch.count, outcome.problem);
    return outcome;
}

} // namespace postfach
