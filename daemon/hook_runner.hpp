#pragma once
// Runs an account's hooks.on_new_mail command (design.md §2) for batches of new mail: once per
// folder and batch, without a shell (util/subprocess), with POSTFACH_ACCOUNT, POSTFACH_FOLDER
// and POSTFACH_NEW_COUNT added to the environment.
//
// Hooks run one at a time on a worker thread of their own, so a slow hook never stalls the
// daemon's event loop or a sync pass. A hook that fails, cannot start or outlives `timeout`
// (then killed) is logged as a warning and otherwise ignored: a hook is never fatal.
//
// submit() may be called from any thread; the destructor waits for the queued hooks (each
// bounded by its timeout). finish_by() bounds that wait as a whole (the daemon's exit).

#include "daemon/new_mail_debouncer.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace postfach {

struct hook_options {
    std::chrono::milliseconds timeout{std::chrono::seconds(60)};
};

// How a hook run ended, for logs and tests.
struct hook_outcome {
    new_mail_batch batch;
    bool ok = false;
    std::string problem; // empty when ok: "exited with status 3: <stderr>", "timed out after 60s"
};

class hook_runner {
public:
    // An empty argv makes a runner that does nothing (no hook configured).
    hook_runner(std::string account, std::vector<std::string> argv, hook_options options = {});
    ~hook_runner();
    hook_runner(const hook_runner&) = delete;
    hook_runner& operator=(const hook_runner&) = delete;

    [[nodiscard]] bool configured() const noexcept { return !argv_.empty(); }

    // Queues one hook run per batch; returns at once.
    void submit(std::vector<new_mail_batch> batches);

    // Blocks until every queued hook has run (end of `postfach sync`, tests).
    void wait_idle();
    // As wait_idle(), but at `deadline` the hooks not yet started are dropped (logged) and the
    // running one is killed (its outcome says "stopped"): the daemon must exit within 10 s of
    // SIGTERM (design.md §1) even when a hook hangs.
    void finish_by(std::chrono::steady_clock::time_point deadline);

    // Outcomes of the runs so far, oldest first (kept for the last 64 runs).
    [[nodiscard]] std::vector<hook_outcome> outcomes() const;

private:
    void work(const std::stop_token& stop);
    hook_outcome run_one(const new_mail_batch& batch, std::stop_token stop) const;

    std::string account_;
    std::vector<std::string> argv_;
    hook_options options_;

    mutable std::mutex mutex_;
    std::condition_variable_any changed_;
    std::deque<new_mail_batch> queue_;
    bool running_ = false;
    std::stop_source cut_short_; // of the running hook: finish_by() kills it
    std::deque<hook_outcome> outcomes_;
    std::jthread worker_; // last: started after everything it uses
};

} // namespace postfach
