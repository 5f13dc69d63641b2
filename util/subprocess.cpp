#include "util/subprocess.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <string_view>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace postfach::util {

namespace {

using clock = std::chrono::steady_clock;

struct fd_closer {
    int fd = -1;
    fd_closer() = default;
    explicit fd_closer(int f)
        : fd(f) {}
    fd_closer(const fd_closer&) = delete;
    fd_closer& operator=(const fd_closer&) = delete;
    ~fd_closer() { reset(); }
    void reset() {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }
};

std::error_code last_error() {
    return {errno, std::generic_category()};
}

std::vector<char*> to_c_argv(const std::vector<std::string>& argv) {
    std::vector<char*> out;
    out.reserve(argv.size() + 1);
    for (const auto& a : argv)
        out.push_back(const_cast<char*>(a.c_str()));
    out.push_back(nullptr);
    return out;
}

std::vector<std::string> environment_with(const std::vector<std::string>& extra) {
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        std::string_view entry(*e);
        auto name = entry.substr(0, entry.find('=') + 1);
        bool overridden = false;
        for (const auto& x : extra)
            overridden = overridden || std::string_view(x).starts_with(name);
        if (!overridden)
            env.emplace_back(entry);
    }
    env.insert(env.end(), extra.begin(), extra.end());
    return env;
}

} // namespace

std::string run_result::describe_end(std::chrono::milliseconds timeout) const {
    if (timed_out)
        return "timed out after " + std::to_string(timeout.count()) + " ms";
    if (stopped)
        return "stopped before its end";
    if (signal != 0)
        return std::string("killed by signal ") + std::to_string(signal) + " (" +
               ::strsignal(signal) + ")";
    return "exited with status " + std::to_string(exit_code);
}

std::error_code run_process(const std::vector<std::string>& argv, const run_options& options,
                            run_result& result) {
    result = {};
    if (argv.empty())
        return std::make_error_code(std::errc::invalid_argument);

    std::array<int, 2> in{}, out{}, err{};
    if (::pipe2(in.data(), O_CLOEXEC) != 0)
        return last_error();
    fd_closer in_r(in[0]), in_w(in[1]);
    if (::pipe2(out.data(), O_CLOEXEC) != 0)
        return last_error();
    fd_closer out_r(out[0]), out_w(out[1]);
    if (::pipe2(err.data(), O_CLOEXEC) != 0)
        return last_error();
    fd_closer err_r(err[0]), err_w(err[1]);
    // A stop request (options.stop) wakes the poll() below through this pipe.
    std::array<int, 2> wake{-1, -1};
    if (options.stop.stop_possible() && ::pipe2(wake.data(), O_CLOEXEC | O_NONBLOCK) != 0)
        return last_error();
    fd_closer wake_r(wake[0]), wake_w(wake[1]);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_r.fd, 0);
    posix_spawn_file_actions_adddup2(&actions, out_w.fd, 1);
    posix_spawn_file_actions_adddup2(&actions, err_w.fd, 2);

    // The child must not inherit our blocked or ignored signals (e.g. SIGPIPE ignored).
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    auto env_strings = environment_with(options.extra_environment);
    auto env = to_c_argv(env_strings);
    auto c_argv = to_c_argv(argv);
    pid_t pid = -1;
    const int spawn_error =
        ::posix_spawnp(&pid, c_argv[0], &actions, &attr, c_argv.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (spawn_error != 0)
        return {spawn_error, std::generic_category()};

    in_r.reset();
    out_w.reset();
    err_w.reset();
    ::fcntl(in_w.fd, F_SETFL, O_NONBLOCK);

    std::string_view pending_input = options.stdin_data;
    if (pending_input.empty())
        in_w.reset();
    const auto deadline = clock::now() + options.timeout;
    std::stop_callback on_stop(options.stop, [fd = wake_w.fd] {
        if (fd >= 0) {
            [[maybe_unused]] const auto n = ::write(fd, "x", 1);
        }
    });
    std::error_code overflow;
    std::array<char, 65536> buffer{};

    while (out_r.fd >= 0 || err_r.fd >= 0 || in_w.fd >= 0) {
        const auto now = clock::now();
        if (now >= deadline) {
            result.timed_out = true;
            ::kill(pid, SIGKILL);
            break;
        }
        if (options.stop.stop_requested()) {
            result.stopped = true;
            ::kill(pid, SIGKILL);
            break;
        }
        std::array<pollfd, 4> fds{{{out_r.fd, POLLIN, 0},
                                   {err_r.fd, POLLIN, 0},
                                   {in_w.fd, POLLOUT, 0},
                                   {wake_r.fd, POLLIN, 0}}};
        const auto wait_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
        const int n = ::poll(fds.data(), fds.size(), static_cast<int>(wait_ms));
        if (n < 0 && errno != EINTR) {
            ::kill(pid, SIGKILL);
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0)
                continue;
            auto& target = i == 0 ? result.out : result.err;
            const ssize_t got = ::read(fds[i].fd, buffer.data(), buffer.size());
            if (got > 0) {
                target.append(buffer.data(), static_cast<std::size_t>(got));
                if (target.size() > options.max_output) {
                    overflow = std::make_error_code(std::errc::argument_list_too_long);
                    ::kill(pid, SIGKILL);
                    (i == 0 ? out_r : err_r).reset();
                }
            } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
                (i == 0 ? out_r : err_r).reset();
            }
        }
        if (fds[2].fd >= 0 && fds[2].revents != 0) {
            const ssize_t put = ::write(in_w.fd, pending_input.data(), pending_input.size());
            if (put > 0)
                pending_input.remove_prefix(static_cast<std::size_t>(put));
            if ((put < 0 && errno != EAGAIN && errno != EINTR) || pending_input.empty())
                in_w.reset();
        }
    }

    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status))
        result.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status) && !result.timed_out && !result.stopped)
        result.signal = WTERMSIG(status);
    return overflow;
}

std::error_code start_background_process(const std::vector<std::string>& argv,
                                         const std::filesystem::path& log_file,
                                         bool die_with_parent, pid_t& pid) {
    if (argv.empty())
        return std::make_error_code(std::errc::invalid_argument);
    const int log_fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log_fd < 0)
        return last_error();
    fd_closer log(log_fd);
    auto c_argv = to_c_argv(argv);
    const pid_t parent = ::getpid();
    const pid_t child = ::fork();
    if (child < 0)
        return last_error();
    if (child == 0) {
        // Only async-signal-safe calls from here to exec.
        if (die_with_parent) {
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (::getppid() != parent)
                ::_exit(127);
        }
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);
        const int devnull = ::open("/dev/null", O_RDONLY);
        ::dup2(devnull, 0);
        ::dup2(log_fd, 1);
        ::dup2(log_fd, 2);
        ::setpgid(0, 0);
        ::execvp(c_argv[0], c_argv.data());
        ::_exit(127);
    }
    pid = child;
    return {};
}

bool stop_background_process(pid_t pid, std::chrono::milliseconds grace) {
    if (pid <= 0)
        return false;
    int status = 0;
    if (grace.count() <= 0) {
        ::kill(-pid, SIGKILL);
        ::kill(pid, SIGKILL);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        return true;
    }
    ::kill(pid, SIGTERM);
    // Wait for the exit itself (a pidfd becomes readable when the child ends), not a guess.
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd >= 0) {
        pollfd p{pidfd, POLLIN, 0};
        const int n = ::poll(&p, 1, static_cast<int>(grace.count()));
        ::close(pidfd);
        if (n == 1 && ::waitpid(pid, &status, WNOHANG) == pid)
            return false;
    } else {
        const auto deadline = clock::now() + grace;
        while (clock::now() < deadline) {
            const pid_t r = ::waitpid(pid, &status, WNOHANG);
            if (r == pid || (r < 0 && errno == ECHILD))
                return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    ::kill(-pid, SIGKILL); // the whole process group, in case children linger
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return true;
}

} // namespace postfach::util
