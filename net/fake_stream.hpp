#pragma once
// A byte_stream from a script, for unit tests of protocol engines: no socket, no waiting.
//
//   fake_stream s;
//   s.feed("* OK ready\r\n");            // what the server sends, one arrival per call
//   ... run the engine ...
//   EXPECT_EQ(s.take_written(), "a LOGIN ...\r\n");
//   s.fail_operation(3, net_errc::connection_closed); // the 4th I/O operation fails
//
// A read that needs more than was fed fails with connection_closed (the script ended). Each
// read takes arrivals one at a time, so feeding byte by byte exercises every split. start_tls()
// applies the transport's rule: unread bytes at that point are a starttls_injection.

#include "net/byte_stream.hpp"
#include "net/read_buffer.hpp"

#include <cstddef>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace postfach::net {

class fake_stream final : public byte_stream {
public:
    explicit fake_stream(bool loopback = false)
        : loopback_(loopback) {}

    void feed(std::string_view server_bytes) { arrivals_.emplace_back(server_bytes); }
    // The operation with this index (0-based, counting start_tls, write and every read call)
    // fails with ec instead of running; the stream is closed afterwards, as a real one would be.
    void fail_operation(std::size_t index, std::error_code ec) { failures_[index] = ec; }

    // Everything written since the last call.
    std::string take_written() { return std::exchange(written_, {}); }
    // What take_written() would return now, left in place (e.g. what went out before a read).
    [[nodiscard]] const std::string& written() const noexcept { return written_; }
    [[nodiscard]] std::size_t operations() const noexcept { return operations_; }
    [[nodiscard]] bool is_open() const noexcept { return open_; }

    boost::asio::awaitable<std::error_code> start_tls() override;
    boost::asio::awaitable<std::error_code> write(std::string_view data) override;
    boost::asio::awaitable<std::error_code> read_line(std::string& line) override;
    boost::asio::awaitable<std::error_code> read_exactly(std::size_t n, std::string& data) override;
    boost::asio::awaitable<std::error_code> read_some(std::string& data) override;
    void close() override { open_ = false; }

    [[nodiscard]] bool uses_tls() const override { return tls_; }
    [[nodiscard]] bool peer_is_loopback() const override { return loopback_; }
    [[nodiscard]] const std::string& diagnostics() const override { return diagnostics_; }

private:
    // Counts the operation; returns the injected or state error, if any.
    std::error_code begin_operation(std::string_view what);
    // Moves the next arrival into the buffer; connection_closed when the script is exhausted.
    std::error_code next_arrival();

    bool loopback_;
    bool open_ = true;
    bool tls_ = false;
    std::deque<std::string> arrivals_;
    read_buffer buffer_;
    std::string written_;
    std::map<std::size_t, std::error_code> failures_;
    std::size_t operations_ = 0;
    std::string diagnostics_;
};

} // namespace postfach::net
