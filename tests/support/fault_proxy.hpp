#pragma once
// A TCP proxy for fault tests: postfach connects to port(), the proxy connects to the real
// server (the fixture Dovecot's IMAPS port) and forwards bytes both ways, TLS untouched, until
// the planned fault strikes:
//
//   cut      after N bytes in one direction: both connections are closed (FIN), the rest of
//            that chunk dropped. N inside the first ~2 KB lands mid-TLS-handshake; later, in
//            the server's direction mid-literal (FETCH bodies), in ours mid-APPEND.
//   reset    the same, but postfach's side is reset (RST, SO_LINGER 0).
//   stall    after N bytes in one direction nothing more is forwarded that way (the other keeps
//            going), and the connection stays open: postfach's read deadline must fire.
//   throttle every byte in one direction, at most bytes_per_second (after N bytes).
//
// A plan applies to connections accepted after set(); lift() closes every open connection (so a
// stalled one ends) and forwards faithfully from then on. The proxy runs its own thread; all
// public functions may be called from the test thread. Counters tell whether the fault struck.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace postfach::test {

enum class fault_direction { to_server = 0, to_client = 1 };

struct fault_plan {
    enum class kind { none, cut, reset, stall, throttle };
    kind what = kind::none;
    fault_direction direction = fault_direction::to_client;
    std::uint64_t after_bytes = 0;      // bytes forwarded in `direction` before the fault
    std::uint64_t bytes_per_second = 0; // throttle only
};

// "cut after 1200 bytes to the client", for test names and reports.
std::string describe(const fault_plan& plan);

class fault_proxy {
public:
    // Listens on 127.0.0.1 (a free port) and forwards to 127.0.0.1:upstream_port.
    explicit fault_proxy(std::uint16_t upstream_port);
    ~fault_proxy();
    fault_proxy(const fault_proxy&) = delete;
    fault_proxy& operator=(const fault_proxy&) = delete;

    [[nodiscard]] std::uint16_t port() const;
    void set(const fault_plan& plan);
    void lift();

    // How often a planned fault struck (a cut, reset or stall happened; a throttle started).
    [[nodiscard]] std::size_t faults_struck() const;
    [[nodiscard]] std::size_t connections() const;
    // Bytes forwarded so far, over all connections, per direction (index: fault_direction).
    [[nodiscard]] std::array<std::uint64_t, 2> bytes_forwarded() const;

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

} // namespace postfach::test
