#pragma once
// What protocol engines (IMAP, POP3) need from a connection once it is established: bytes in
// and out, and the switch to TLS. transport implements it over a socket; fake_stream implements
// it from a script, so engines can be tested without a network and with an error injected at
// any step.
//
// Contract: one operation at a time; every operation returns an error_code and, on failure,
// explains in diagnostics(). Reads hand out buffered bytes first.

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace postfach::net {

class byte_stream {
public:
    virtual ~byte_stream() = default;

    // Starts TLS (implicit TLS, or after the server's positive STARTTLS / STLS answer). Refuses
    // with net_errc::starttls_injection while received bytes are unread.
    virtual boost::asio::awaitable<std::error_code> start_tls() = 0;
    virtual boost::asio::awaitable<std::error_code> write(std::string_view data) = 0;
    // The next line without its line ending (CRLF, or a bare LF).
    virtual boost::asio::awaitable<std::error_code> read_line(std::string& line) = 0;
    // Exactly n bytes.
    virtual boost::asio::awaitable<std::error_code> read_exactly(std::size_t n,
                                                                 std::string& data) = 0;
    // The buffered bytes, or else at least one byte as soon as it arrives; data is replaced.
    virtual boost::asio::awaitable<std::error_code> read_some(std::string& data) = 0;
    virtual void close() = 0;

    [[nodiscard]] virtual bool uses_tls() const = 0;
    // True when the peer is a loopback address (credentials may then go unencrypted).
    [[nodiscard]] virtual bool peer_is_loopback() const = 0;
    [[nodiscard]] virtual const std::string& diagnostics() const = 0;
};

} // namespace postfach::net
