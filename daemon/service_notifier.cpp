#include "daemon/service_notifier.hpp"

#include <ctime>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <string>
#include <systemd/sd-daemon.h>

namespace postfach {

namespace {

void notify(const std::string& message) {
    // Not fatal: systemd may be gone while we shut down; the service keeps working regardless.
    if (const int r = sd_notify(0, message.c_str()); r < 0)
        spdlog::debug("sd_notify failed: {}",
                      std::error_code(-r, std::generic_category()).message());
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
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
        return std::nullopt;
    return std::chrono::microseconds(usec / 2);
}

} // namespace postfach
