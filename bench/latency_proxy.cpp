// A network's round trip on loopback, for the benchmarks: every byte is passed on a fixed delay
// after it arrived, in both directions, with no limit on throughput (what a long fat link does,
// and what `tc qdisc ... netem delay` would do where the kernel has it). TLS passes untouched.
//
//   latency_proxy --upstream-port PORT --delay-ms MS [--listen-port PORT]
//
// Listens on 127.0.0.1 (a free port unless --listen-port), forwards each connection to
// 127.0.0.1:upstream. The first line on stdout says "port N"; then it runs until killed.
// A round trip through it costs 2 x MS more than without.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

namespace asio = boost::asio;
using asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// One direction of one connection: what was read waits in `queue` until its time has come.
struct delayed_direction {
    delayed_direction(tcp::socket& f, tcp::socket& t)
        : from(f)
        , to(t)
        , wake(f.get_executor()) {}

    tcp::socket& from;
    tcp::socket& to;
    struct chunk {
        clock_type::time_point due;
        std::string bytes;
    };
    std::deque<chunk> queue;
    asio::steady_timer wake; // the writer waits on it; the reader cancels it
    bool ended = false;      // the reader saw the end (or an error)
};

struct proxied_connection {
    proxied_connection(tcp::socket c, tcp::socket s)
        : client(std::move(c))
        , server(std::move(s))
        , up(client, server)
        , down(server, client) {}

    tcp::socket client;
    tcp::socket server;
    delayed_direction up;
    delayed_direction down;
};

// `alive` holds the connection (its sockets and queues) while either direction runs.
asio::awaitable<void> read_into_queue([[maybe_unused]] std::shared_ptr<proxied_connection> alive,
                                      delayed_direction& d, clock_type::duration delay) {
    std::string buffer(64 * 1024, '\0');
    for (;;) {
        auto [ec, n] = co_await d.from.async_read_some(asio::buffer(buffer), use_tuple);
        if (ec) {
            d.ended = true;
            d.wake.cancel();
            co_return;
        }
        d.queue.push_back({clock_type::now() + delay, buffer.substr(0, n)});
        d.wake.cancel();
    }
}

asio::awaitable<void> write_when_due([[maybe_unused]] std::shared_ptr<proxied_connection> alive,
                                     delayed_direction& d) {
    for (;;) {
        if (d.queue.empty()) {
            if (d.ended) {
                // Pass the end on; the other direction may still be sending.
                boost::system::error_code ignored;
                d.to.shutdown(tcp::socket::shutdown_send, ignored);
                co_return;
            }
            d.wake.expires_at(clock_type::time_point::max());
            co_await d.wake.async_wait(use_tuple);
            continue;
        }
        const auto due = d.queue.front().due;
        if (clock_type::now() < due) {
            d.wake.expires_at(due);
            co_await d.wake.async_wait(use_tuple);
            continue; // woken early by the reader: look again
        }
        auto [ec, written] =
            co_await asio::async_write(d.to, asio::buffer(d.queue.front().bytes), use_tuple);
        if (ec) {
            boost::system::error_code ignored;
            d.from.close(ignored);
            d.to.close(ignored);
            co_return;
        }
        d.queue.pop_front();
    }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, std::uint16_t upstream,
                                  clock_type::duration delay) {
    auto executor = acceptor.get_executor();
    for (;;) {
        auto [ec, client] = co_await acceptor.async_accept(use_tuple);
        if (ec)
            co_return;
        tcp::socket server(executor);
        auto [connect_ec] = co_await server.async_connect(
            tcp::endpoint(asio::ip::address_v4::loopback(), upstream), use_tuple);
        if (connect_ec)
            continue; // the client sees its connection closed
        // Small writes must not wait for Nagle on top of the delay.
        client.set_option(tcp::no_delay(true));
        server.set_option(tcp::no_delay(true));
        auto c = std::make_shared<proxied_connection>(std::move(client), std::move(server));
        for (auto* d : {&c->up, &c->down}) {
            asio::co_spawn(executor, read_into_queue(c, *d, delay), asio::detached);
            asio::co_spawn(executor, write_when_due(c, *d), asio::detached);
        }
    }
}

[[noreturn]] void usage() {
    std::fputs("usage: latency_proxy --upstream-port PORT --delay-ms MS [--listen-port PORT]\n",
               stderr);
    std::exit(2);
}

} // namespace

int main(int argc, char** argv) {
    long upstream = -1;
    long delay_ms = -1;
    long listen_port = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view option = argv[i];
        const long value = std::strtol(argv[i + 1], nullptr, 10);
        if (option == "--upstream-port")
            upstream = value;
        else if (option == "--delay-ms")
            delay_ms = value;
        else if (option == "--listen-port")
            listen_port = value;
        else
            usage();
    }
    if (argc % 2 != 1 || upstream <= 0 || upstream > 65535 || delay_ms < 0 || listen_port < 0 ||
        listen_port > 65535)
        usage();
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(),
                                             static_cast<std::uint16_t>(listen_port)));
    std::printf("port %u\n", static_cast<unsigned>(acceptor.local_endpoint().port()));
    std::fflush(stdout);
    asio::co_spawn(io,
                   accept_loop(acceptor, static_cast<std::uint16_t>(upstream),
                               std::chrono::milliseconds(delay_ms)),
                   asio::detached);
    io.run();
    return 0;
}
