#include "tests/support/fault_proxy.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace postfach::test {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// One proxied connection: postfach's socket and the server's.
struct link : std::enable_shared_from_this<link> {
    link(tcp::socket c, tcp::socket s, const fault_plan& p)
        : client(std::move(c))
        , server(std::move(s))
        , plan(p) {}

    tcp::socket client;
    tcp::socket server;
    fault_plan plan;
    std::array<std::uint64_t, 2> forwarded{};

    void close(bool reset_client) {
        boost::system::error_code ignored;
        if (reset_client && client.is_open())
            client.set_option(asio::socket_base::linger(true, 0), ignored);
        client.close(ignored);
        server.close(ignored);
    }
};

} // namespace

std::string describe(const fault_plan& plan) {
    const char* dir =
        plan.direction == fault_direction::to_client ? "to postfach" : "to the server";
    switch (plan.what) {
    case fault_plan::kind::none:
        return "no fault";
    case fault_plan::kind::cut:
        return fmt::format("cut after {} bytes {}", plan.after_bytes, dir);
    case fault_plan::kind::reset:
        return fmt::format("reset after {} bytes {}", plan.after_bytes, dir);
    case fault_plan::kind::stall:
        return fmt::format("stall after {} bytes {}", plan.after_bytes, dir);
    case fault_plan::kind::throttle:
        return fmt::format("throttle to {} B/s {}", plan.bytes_per_second, dir);
    }
    return "?";
}

struct fault_proxy::impl {
    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::uint16_t upstream;
    std::uint16_t port = 0;
    std::thread thread;

    std::mutex mutex; // guards plan and links
    fault_plan plan;
    std::vector<std::weak_ptr<link>> links;

    std::atomic<std::size_t> struck{0};
    std::atomic<std::size_t> accepted{0};
    std::array<std::atomic<std::uint64_t>, 2> bytes{};

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, client] = co_await acceptor.async_accept(use_tuple);
            if (ec)
                co_return; // the proxy is going away
            ++accepted;
            tcp::socket server(io);
            auto [connect_ec] = co_await server.async_connect(
                tcp::endpoint(asio::ip::address_v4::loopback(), upstream), use_tuple);
            if (connect_ec)
                continue; // the client sees its connection closed
            fault_plan current;
            {
                std::lock_guard lock(mutex);
                current = plan;
            }
            auto l = std::make_shared<link>(std::move(client), std::move(server), current);
            {
                std::lock_guard lock(mutex);
                links.push_back(l);
            }
            asio::co_spawn(io, pump(l, fault_direction::to_server), asio::detached);
            asio::co_spawn(io, pump(l, fault_direction::to_client), asio::detached);
        }
    }

    asio::awaitable<void> pump(std::shared_ptr<link> l, fault_direction dir) {
        auto& from = dir == fault_direction::to_server ? l->client : l->server;
        auto& to = dir == fault_direction::to_server ? l->server : l->client;
        const auto index = static_cast<std::size_t>(dir);
        const bool planned = l->plan.what != fault_plan::kind::none && l->plan.direction == dir;
        std::array<char, 16 * 1024> buffer{};
        bool throttling = false;
        for (;;) {
            auto [read_ec, n] = co_await from.async_read_some(asio::buffer(buffer), use_tuple);
            if (read_ec) {
                // Pass the end on: a half-close keeps what the other direction still sends.
                boost::system::error_code ignored;
                if (read_ec == asio::error::eof)
                    to.shutdown(tcp::socket::shutdown_send, ignored);
                else
                    l->close(false);
                co_return;
            }
            std::size_t pass = n;
            bool strike = false;
            if (planned && l->plan.what != fault_plan::kind::throttle) {
                const auto left = l->plan.after_bytes > l->forwarded[index]
                                      ? l->plan.after_bytes - l->forwarded[index]
                                      : 0;
                if (left <= n) {
                    pass = static_cast<std::size_t>(left);
                    strike = true;
                }
            }
            if (planned && l->plan.what == fault_plan::kind::throttle &&
                l->forwarded[index] + n > l->plan.after_bytes && !throttling) {
                throttling = true;
                ++struck;
            }
            // Forward `pass` bytes; throttled in slices of a tenth of the rate per 100 ms.
            std::size_t done = 0;
            while (done < pass) {
                std::size_t slice = pass - done;
                if (throttling)
                    slice = std::min<std::size_t>(
                        slice, std::max<std::uint64_t>(1, l->plan.bytes_per_second / 10));
                auto [write_ec, written] = co_await asio::async_write(
                    to, asio::buffer(buffer.data() + done, slice), use_tuple);
                if (write_ec) {
                    l->close(false);
                    co_return;
                }
                done += written;
                l->forwarded[index] += written;
                bytes[index] += written;
                if (throttling && done < pass) {
                    asio::steady_timer timer(io, std::chrono::milliseconds(100));
                    co_await timer.async_wait(use_tuple);
                }
            }
            if (throttling) {
                // Keep the average: the last slice of this chunk also costs its time.
                asio::steady_timer timer(io, std::chrono::milliseconds(100));
                co_await timer.async_wait(use_tuple);
            }
            if (!strike)
                continue;
            ++struck;
            switch (l->plan.what) {
            case fault_plan::kind::cut:
                l->close(false);
                co_return;
            case fault_plan::kind::reset:
                l->close(true);
                co_return;
            default: // stall: forward nothing more this way; lift() or the peers end it
                co_return;
            }
        }
    }
};

fault_proxy::fault_proxy(std::uint16_t upstream_port)
    : impl_(std::make_unique<impl>()) {
    impl_->upstream = upstream_port;
    const tcp::endpoint local(asio::ip::address_v4::loopback(), 0);
    impl_->acceptor.open(local.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(local);
    impl_->acceptor.listen();
    impl_->port = impl_->acceptor.local_endpoint().port();
    asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
    impl_->thread = std::thread([this] { impl_->io.run(); });
}

fault_proxy::~fault_proxy() {
    asio::post(impl_->io, [this] {
        boost::system::error_code ignored;
        impl_->acceptor.close(ignored);
        std::lock_guard lock(impl_->mutex);
        for (auto& weak : impl_->links)
            if (auto l = weak.lock())
                l->close(false);
    });
    impl_->thread.join();
}

std::uint16_t fault_proxy::port() const {
    return impl_->port;
}

void fault_proxy::set(const fault_plan& plan) {
    std::lock_guard lock(impl_->mutex);
    impl_->plan = plan;
}

void fault_proxy::lift() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->plan = {};
    }
    std::promise<void> done;
    asio::post(impl_->io, [this, &done] {
        std::lock_guard lock(impl_->mutex);
        for (auto& weak : impl_->links)
            if (auto l = weak.lock())
                l->close(false);
        impl_->links.clear();
        done.set_value();
    });
    done.get_future().wait();
}

std::size_t fault_proxy::faults_struck() const {
    return impl_->struck;
}

std::size_t fault_proxy::connections() const {
    return impl_->accepted;
}

std::array<std::uint64_t, 2> fault_proxy::bytes_forwarded() const {
    return {impl_->bytes[0].load(), impl_->bytes[1].load()};
}

} // namespace postfach::test
