#include "maildir/unique_name.hpp"

#include <atomic>
#include <chrono>
#include <fmt/format.h>
#include <pthread.h>
#include <unistd.h>

namespace postfach::maildir {
namespace {

std::atomic<std::uint64_t> process_counter{0};

// The process id, asked once: a getpid() per name was 20,000 system calls for the initial sync
// of 20,000 messages. A forked child forgets it (pthread_atfork) and asks for its own.
std::atomic<pid_t> known_pid{0};

pid_t current_pid() {
    static const bool forget_in_child = [] {
        return ::pthread_atfork(nullptr, nullptr, [] { known_pid.store(0); }) == 0;
    }();
    pid_t pid = known_pid.load(std::memory_order_relaxed);
    if (pid == 0 || !forget_in_child) {
        pid = ::getpid();
        known_pid.store(pid, std::memory_order_relaxed);
    }
    return pid;
}

} // namespace

std::string escape_host_name(std::string_view host) {
    std::string out;
    out.reserve(host.size());
    for (char c : host) {
        if (c == '/')
            out += "\\057";
        else if (c == ':')
            out += "\\072";
        else
            out.push_back(c);
    }
    return out;
}

std::string format_unique_name(std::int64_t seconds, std::int64_t microseconds, pid_t pid,
                               std::uint64_t counter, std::string_view escaped_host) {
    return fmt::format("{}.M{}P{}Q{}.{}", seconds, microseconds, pid, counter, escaped_host);
}

unique_name_generator::unique_name_generator() {
    char buffer[256] = {};
    if (::gethostname(buffer, sizeof buffer - 1) != 0 || buffer[0] == '\0')
        host_ = "localhost";
    else
        host_ = escape_host_name(buffer);
}

std::string unique_name_generator::next() {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const auto usec = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
    const std::uint64_t counter = ++process_counter;
    return format_unique_name(usec / 1'000'000, usec % 1'000'000, current_pid(), counter, host_);
}

} // namespace postfach::maildir
