#pragma once
// A scripted one-connection TCP server on 127.0.0.1 for transport tests: it accepts one client
// and runs a coroutine (the script) on the socket, in the test's io_context.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace postfach::test {

namespace asio = boost::asio;
using asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// A one-connection server on 127.0.0.1 that runs script on the accepted socket.
class scripted_server {
public:
    using script = std::function<asio::awaitable<void>(tcp::socket&)>;

    scripted_server(asio::io_context& io, script s)
        : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        asio::co_spawn(
            io,
            [this, s = std::move(s)]() -> asio::awaitable<void> {
                auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
                if (!ec)
                    co_await s(socket);
            },
            asio::detached);
    }
    [[nodiscard]] std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

private:
    tcp::acceptor acceptor_;
};

inline asio::awaitable<void> send(tcp::socket& socket, std::string_view data) {
    co_await asio::async_write(socket, asio::buffer(data), use_tuple);
}

// Waits for a line from the client (or its disconnect).
inline asio::awaitable<std::string> receive_line(tcp::socket& socket, asio::streambuf& buffer) {
    auto [ec, n] = co_await asio::async_read_until(socket, buffer, "\r\n", use_tuple);
    if (ec)
        co_return std::string();
    std::string line(asio::buffers_begin(buffer.data()),
                     asio::buffers_begin(buffer.data()) + static_cast<std::ptrdiff_t>(n));
    buffer.consume(n);
    co_return line;
}

inline asio::awaitable<void> wait_for_disconnect(tcp::socket& socket) {
    char c;
    co_await socket.async_read_some(asio::buffer(&c, 1), use_tuple);
}

} // namespace postfach::test
