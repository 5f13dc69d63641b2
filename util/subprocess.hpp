#pragma once
// Running other programs without a shell: credential commands, hooks, and in the tests the
// private Dovecot and doveadm. argv[0] is looked up in PATH; nothing is interpreted by a shell.

#include <chrono>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <sys/types.h>
#include <system_error>
#include <vector>

namespace postfach::util {

struct run_options {
    std::string stdin_data; // written to the child's stdin, then closed
    std::chrono::milliseconds timeout{std::chrono::seconds(30)};
    std::size_t max_output = 16 * 1024 * 1024;  // per stream; more is an error (E2BIG)
    std::vector<std::string> extra_environment; // "NAME=value", added to ours
    // A stop request kills the child at once, as the timeout does (run_result::stopped).
    std::stop_token stop;
};

struct run_result {
    int exit_code = -1; // valid when !signaled && !timed_out
    int signal = 0;     // the signal that ended the child, 0 if it exited
    bool timed_out = false;
    bool stopped = false; // killed because options.stop was requested
    std::string out;
    std::string err;

    [[nodiscard]] bool succeeded() const noexcept {
        return !timed_out && !stopped && signal == 0 && exit_code == 0;
    }
    // "exited with status 3", "killed by signal 9", "timed out after 30s", "stopped before its
    // end": for error messages.
    [[nodiscard]] std::string describe_end(std::chrono::milliseconds timeout) const;
};

// Runs argv to completion (or kills it with SIGKILL at the deadline) and collects its output.
// Returns an error only when the program could not be started (e.g. ENOENT) or output exceeded
// max_output; a non-zero exit is reported in run_result, not as an error.
std::error_code run_process(const std::vector<std::string>& argv, const run_options& options,
                            run_result& result);

// Starts argv in the background with stdout and stderr appended to log_file. With
// die_with_parent the child gets SIGTERM when the calling thread's process dies, so a crashed
// test never leaks a server. Returns the pid, or an error.
std::error_code start_background_process(const std::vector<std::string>& argv,
                                         const std::filesystem::path& log_file,
                                         bool die_with_parent, pid_t& pid);

// Sends SIGTERM, waits up to grace, then SIGKILLs the child's process group
// (start_background_process makes the child a group leader); reaps the child. grace 0 kills at
// once. Returns true if it had to kill.
bool stop_background_process(pid_t pid, std::chrono::milliseconds grace);

} // namespace postfach::util
