#pragma once
// A client connection to a mail server: TCP, then TLS (implicit, or on request after
// STARTTLS/STLS), with timeouts on every step. It only moves bytes; the sans-IO protocol code
// decides what they mean. Shared by IMAP and POP3.
//
// Contract:
//  - Use from one coroutine at a time on one executor (one strand); at most one read and one
//    write may be outstanding.
//  - Every operation returns an error_code (net_errc for our own conditions, the system or
//    OpenSSL code otherwise) and, on failure, explains in diagnostics(). After a timeout, a
//    closed connection or a failed start_tls() the transport is closed; connect() again.
//  - The certificate is verified and must match the configured host name (SNI carries it),
//    unless verify_certificate is false (only from a server block's explicit
//    `tls_verify: false`): then every start_tls() logs a warning that says so.
//  - Cancelling the calling coroutine (terminal, e.g. on SIGTERM) ends a pending operation at
//    once and closes the connection: the caller sees operation_aborted, as an exception under
//    Asio's default this_coro::throw_if_cancelled(true), else as the returned error code.
//  - Bytes received but not yet returned are buffered here. start_tls() refuses to run while
//    any are buffered or waiting in the socket: after a STARTTLS answer they can only be an
//    injection (the server must wait for the ClientHello).

#include "config/config.hpp"
#include "net/byte_stream.hpp"
#include "net/read_buffer.hpp"
#include "net/tls_session_info.hpp"

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace postfach::net {

struct transport_options {
    std::string host; // what to resolve, and the name the certificate must match
    std::uint16_t port = 0;
    std::optional<std::filesystem::path> ca_file; // empty: the system trust store
    bool verify_certificate = true;               // false: no check at all, loudly logged
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(30)}; // connect + handshake
    std::chrono::milliseconds read_timeout{std::chrono::seconds(120)};
    std::chrono::milliseconds write_timeout{std::chrono::seconds(60)};
    std::size_t max_line_length = 1024 * 1024; // read_line() refuses longer lines
};

// host, port, ca_file, tls_verify of a server block, with the default timeouts.
transport_options transport_options_for(const config::server_config& server);

class transport final : public byte_stream {
public:
    transport(boost::asio::any_io_executor executor, transport_options options);
    transport(const transport&) = delete;
    transport& operator=(const transport&) = delete;

    // Resolves the host and tries its addresses in order until one accepts, all within
    // connect_timeout. Enables TCP keepalive. (Name resolution itself is bounded by the system
    // resolver's own timeouts.) A previous connection of this transport is closed first.
    boost::asio::awaitable<std::error_code> connect();

    // TLS handshake on the connected socket: right after connect() for implicit TLS, or after
    // the server accepted STARTTLS / STLS. Fails with starttls_injection if unread bytes exist.
    boost::asio::awaitable<std::error_code> start_tls() override;

    // Sends all of data (within write_timeout).
    boost::asio::awaitable<std::error_code> write(std::string_view data) override;

    // The next line, without its line ending (CRLF, or a bare LF).
    boost::asio::awaitable<std::error_code> read_line(std::string& line) override;
    // Exactly n bytes (a literal, a message body).
    boost::asio::awaitable<std::error_code> read_exactly(std::size_t n, std::string& data) override;
    // Whatever has arrived: the buffered bytes, or else waits for at least one byte.
    // data is replaced.
    boost::asio::awaitable<std::error_code> read_some(std::string& data) override;

    // Closes the socket without a TLS close_notify (the protocol said goodbye already).
    void close() override;

    [[nodiscard]] bool is_open() const { return socket_.is_open(); }
    [[nodiscard]] bool uses_tls() const override { return tls_.has_value(); }
    // True when connected to a loopback address (credentials may then go unencrypted).
    [[nodiscard]] bool peer_is_loopback() const override { return peer_is_loopback_; }
    [[nodiscard]] std::string peer_address() const { return peer_address_; }
    // Set once start_tls() succeeded.
    [[nodiscard]] const std::optional<tls_session_info>& tls_info() const { return tls_info_; }
    [[nodiscard]] const transport_options& options() const { return options_; }
    // Change e.g. the read timeout for IMAP IDLE, which waits up to 29 minutes.
    void set_read_timeout(std::chrono::milliseconds timeout) { options_.read_timeout = timeout; }
    // Details of the last error, for the user: host, address, OpenSSL's reason, ...
    [[nodiscard]] const std::string& diagnostics() const override { return diagnostics_; }

private:
    using clock = std::chrono::steady_clock;

    boost::asio::awaitable<std::error_code> fill();
    // Makes sure the watchdog wakes up by `deadline`.
    void watch(clock::time_point deadline);
    // The watchdog woke up: cancels the socket's operations if a deadline passed, else sleeps
    // until the next one.
    void check_deadlines();
    std::error_code fail(std::error_code ec, std::string diagnostics);
    // After a failed start_tls(): closed, and not reported as using TLS.
    void abandon_tls();

    transport_options options_;
    boost::asio::ip::tcp::socket socket_;
    std::optional<boost::asio::ssl::context> tls_context_;
    std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;
    std::optional<tls_session_info> tls_info_;
    read_buffer buffer_; // received, not yet returned
    // What one read receives (a TLS record is at most 16 KB). A member, not a local of fill():
    // a coroutine's locals live in its frame, and a 16 KB frame is past Asio's recycling of
    // small frames, so each read (one per ~4 KB record) would malloc and free it.
    std::array<char, 16384> read_chunk_{};
    // One timer for the read and the write deadline, instead of a timer armed and cancelled per
    // operation (two timerfd_settime calls and a parallel group per read of at most 16 KB): an
    // operation only moves its deadline, and the timer, when it wakes up, either cancels the
    // late operation or sleeps until the deadline now due (as Boost.Redis's health checker).
    boost::asio::steady_timer watchdog_;
    bool watchdog_waiting_ = false;
    clock::time_point read_deadline_ = clock::time_point::max(); // max: no read pending
    clock::time_point write_deadline_ = clock::time_point::max();
    bool read_timed_out_ = false;
    bool write_timed_out_ = false;
    // The watchdog's handler may run after this transport is gone: it checks this first.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    bool peer_is_loopback_ = false;
    std::string peer_address_;
    std::string diagnostics_;
};

} // namespace postfach::net
