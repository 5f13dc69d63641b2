#include "daemon/service_notifier.hpp"

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <system_error>
#include <unistd.h>

namespace postfach {

namespace {

// sd_notify(3)'s protocol (stable, documented there for reimplementation): one datagram to the
// AF_UNIX socket in $NOTIFY_SOCKET, a path or, with a leading '@', an abstract name. Done here
// rather than through libsystemd, whose seven libraries every `postfach sync` would otherwise
// load and link at start (~1 ms) for a daemon-only feature.
std::error_code send_notification(std::string_view message) {
    const char* target = std::getenv("NOTIFY_SOCKET");
    if (target == nullptr || *target == '\0')
        return {}; // not started by systemd
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::size_t length = std::strlen(target);
    if ((target[0] != '/' && target[0] != '@') || length >= sizeof(address.sun_path))
        return std::make_error_code(std::errc::address_family_not_supported); // e.g. vsock:
    std::memcpy(address.sun_path, target, length);
    if (address.sun_path[0] == '@')
        address.sun_path[0] = '\0';
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return {errno, std::generic_category()};
    const auto size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length);
    std::error_code ec;
    if (::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
                 reinterpret_cast<const sockaddr*>(&address), size) < 0)
        ec = {errno, std::generic_category()};
    ::close(fd);
    return ec;
}

void notify(const std::string& message) {
    // Not fatal: systemd may be gone while we shut down; the service keeps working regardless.
    if (const auto ec = send_notification(message))
        spdlog::debug("sd_notify failed: {}", ec.message());
}

// A positive decimal number in the environment variable, else nullopt.
std::optional<std::uint64_t> number_in(const char* variable) {
    const char* text = std::getenv(variable);
    if (text == nullptr)
        return std::nullopt;
    const char* end = text + std::strlen(text);
    std::uint64_t value = 0;
    const auto [stop, ec] = std::from_chars(text, end, value);
    if (ec != std::errc() || stop != end || value == 0)
        return std::nullopt;
    return value;
}

} // namespace

void service_notifier::ready() {
    notify("READY=1");
}

void service_notifier::status(std::string_view line) {
    // One line: systemd takes the message up to the newline as the next assignment.
    std::string text(line);
    for (auto& c : text)
        if (c == '\n' || c == '\r')
            c = ' ';
    notify("STATUS=" + text);
}

void service_notifier::reloading() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const auto usec = static_cast<unsigned long long>(now.tv_sec) * 1000000ULL +
                      static_cast<unsigned long long>(now.tv_nsec) / 1000ULL;
    notify(fmt::format("RELOADING=1\nMONOTONIC_USEC={}", usec));
}

void service_notifier::stopping() {
    notify("STOPPING=1");
}

void service_notifier::watchdog() {
    notify("WATCHDOG=1");
}

std::optional<std::chrono::microseconds> service_notifier::watchdog_interval() {
    // sd_watchdog_enabled(3): $WATCHDOG_USEC, for this process only if $WATCHDOG_PID says so.
    const auto usec = number_in("WATCHDOG_USEC");
    if (!usec)
        return std::nullopt;
    if (std::getenv("WATCHDOG_PID") != nullptr) {
        const auto pid = number_in("WATCHDOG_PID");
        if (!pid || *pid != static_cast<std::uint64_t>(::getpid()))
            return std::nullopt;
    }
    return std::chrono::microseconds(*usec / 2);
}

} // namespace postfach
