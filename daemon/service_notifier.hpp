#pragma once
// The daemon's messages to systemd (sd_notify(3), Type=notify): READY=1, STATUS=, RELOADING=1,
// STOPPING=1 and WATCHDOG=1. Without $NOTIFY_SOCKET (not started by systemd) every call does
// nothing.

#include <chrono>
#include <optional>
#include <string_view>

namespace postfach {

class service_notifier {
public:
    void ready();
    // One line (systemctl status shows it): per-account state.
    void status(std::string_view line);
    // RELOADING=1 with MONOTONIC_USEC (systemd 253+ wants it); ready() ends the reload.
    void reloading();
    void stopping();
    void watchdog();
    // Half of $WATCHDOG_USEC when systemd watches this process (and $WATCHDOG_PID, if set, is
    // ours), else nullopt.
    [[nodiscard]] static std::optional<std::chrono::microseconds> watchdog_interval();
};

} // namespace postfach
