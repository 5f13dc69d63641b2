#pragma once
// `postfach daemon` as a child process for integration tests, and waiting for what it does:
// every wait polls for the event with a deadline (no fixed sleeps).

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace postfach::test {

// Polls `done` every 20 ms until it holds or `limit` passed; returns whether it held.
inline bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        if (done())
            return true;
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), {}};
}

// The daemon as a child process: stdout and stderr go to a log file; extra environment added.
class daemon_process {
public:
    daemon_process(std::vector<std::string> args, const std::filesystem::path& log,
                   std::vector<std::string> extra_env)
        : log_(log) {
        std::vector<std::string> env;
        for (char** e = environ; *e != nullptr; ++e)
            env.emplace_back(*e);
        env.insert(env.end(), extra_env.begin(), extra_env.end());
        args.insert(args.begin(), POSTFACH_BINARY);
        pid_ = ::fork();
        if (pid_ == 0) {
            const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            std::vector<char*> argv, envp;
            for (auto& a : args)
                argv.push_back(a.data());
            argv.push_back(nullptr);
            for (auto& e : env)
                envp.push_back(e.data());
            envp.push_back(nullptr);
            ::execve(argv[0], argv.data(), envp.data());
            ::_exit(127);
        }
    }
    ~daemon_process() {
        if (pid_ > 0 && !exit_status_) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    daemon_process(const daemon_process&) = delete;
    daemon_process& operator=(const daemon_process&) = delete;

    void signal(int sig) const { ::kill(pid_, sig); }
    [[nodiscard]] std::string log() const { return read_file(log_); }
    bool log_has(std::string_view text) const { return log().find(text) != std::string::npos; }
    // The exit status once the process ended within limit (-signal if killed by one).
    std::optional<int> wait_exit(std::chrono::milliseconds limit) {
        wait_for(
            [&] {
                int status = 0;
                if (::waitpid(pid_, &status, WNOHANG) == pid_)
                    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
                return exit_status_.has_value();
            },
            limit);
        return exit_status_;
    }

private:
    std::filesystem::path log_;
    pid_t pid_ = -1;
    std::optional<int> exit_status_;
};

} // namespace postfach::test
