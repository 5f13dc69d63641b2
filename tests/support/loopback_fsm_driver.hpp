#pragma once
// A minimal blocking loopback transport that performs a sans-IO session's actions
// (imap::session_fsm, pop3::session_fsm) against the fixture Dovecot's plaintext port, with a
// deadline on every run. No TLS: net/ provides the real transport; these tests check what the
// server really sends against the parsers and state machines.

#include <arpa/inet.h>
#include <chrono>
#include <cstring>
#include <functional>
#include <gtest/gtest.h>
#include <map>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <system_error>
#include <unistd.h>

namespace postfach::test {

template <typename Fsm>
class loopback_fsm_driver {
public:
    explicit loopback_fsm_driver(std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
            ADD_FAILURE() << "connect: " << std::strerror(errno);
    }
    ~loopback_fsm_driver() { close(); }
    loopback_fsm_driver(const loopback_fsm_driver&) = delete;
    loopback_fsm_driver& operator=(const loopback_fsm_driver&) = delete;

    void close() {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }

    // Performs actions until the session is idle or done, or `until` holds (then it keeps
    // reading while idle). False on timeout.
    bool run(Fsm& fsm, const std::function<bool()>& until = {}) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (true) {
            if (until && until())
                return true;
            const auto a = fsm.next();
            using kind = decltype(a.type);
            if (a.type == kind::write) {
                send_all(a.bytes);
                fsm.on_written();
                continue;
            }
            if constexpr (requires { kind::write_body; }) {
                if (a.type == kind::write_body) { // IMAP APPEND: the message of that tag
                    send_all(bodies.at(std::string(a.tag)));
                    fsm.on_written();
                    continue;
                }
            }
            if (a.type == kind::start_tls) {
                ADD_FAILURE() << "no TLS in this driver";
                return false;
            }
            if (a.type == kind::done || (a.type == kind::idle && !until))
                return true;
            if (!read_some(fsm, deadline))
                return false;
        }
    }

    std::map<std::string, std::string> bodies; // IMAP APPEND tag -> message

private:
    bool read_some(Fsm& fsm, std::chrono::steady_clock::time_point deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{fd_, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) {
            ADD_FAILURE() << "timed out waiting for the server";
            return false;
        }
        char buffer[4096];
        const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n <= 0)
            fsm.on_transport_error(std::make_error_code(std::errc::connection_reset));
        else
            fsm.on_bytes(std::string_view(buffer, static_cast<std::size_t>(n)));
        return true;
    }

    void send_all(std::string_view bytes) {
        while (!bytes.empty()) {
            const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n <= 0) {
                ADD_FAILURE() << "send: " << std::strerror(errno);
                return;
            }
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
    }

    int fd_ = -1;
};

} // namespace postfach::test
