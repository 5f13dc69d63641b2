#include "net/transport.hpp"

#include "net/net_errc.hpp"
#include "net/tls_context.hpp"
#include "net/with_timeout.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>

namespace postfach::net {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Probes a silent peer after 60 s, every 15 s, gives up after 4 misses: a dead server under a
// long IDLE is noticed in about two minutes instead of hours.
void enable_keepalive(tcp::socket& socket) {
    boost::system::error_code ignored;
    socket.set_option(asio::socket_base::keep_alive(true), ignored);
    socket.set_option(asio::detail::socket_option::integer<IPPROTO_TCP, TCP_KEEPIDLE>(60), ignored);
    socket.set_option(asio::detail::socket_option::integer<IPPROTO_TCP, TCP_KEEPINTVL>(15),
                      ignored);
    socket.set_option(asio::detail::socket_option::integer<IPPROTO_TCP, TCP_KEEPCNT>(4), ignored);
    socket.set_option(tcp::no_delay(true), ignored);
}

bool is_end_of_stream(const boost::system::error_code& ec) {
    return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
           ec == asio::error::connection_reset;
}

} // namespace

transport_options transport_options_for(const config::server_config& server) {
    transport_options options;
    options.host = server.host;
    options.port = server.port;
    options.ca_file = server.ca_file;
    options.connect_timeout = std::min(options.connect_timeout, server.timeout);
    options.read_timeout = server.timeout;
    options.write_timeout = server.timeout;
    options.verify_certificate = server.tls_verify;
    return options;
}

transport::transport(asio::any_io_executor executor, transport_options options)
    : options_(std::move(options))
    , socket_(executor)
    , watchdog_(std::move(executor)) {}

std::error_code transport::fail(std::error_code ec, std::string diagnostics) {
    diagnostics_ = std::move(diagnostics);
    return ec;
}

asio::awaitable<std::error_code> transport::connect() {
    close();
    tls_.reset();
    tls_context_.reset();
    tls_info_.reset();
    buffer_.clear();
    const auto target = fmt::format("{}:{}", options_.host, options_.port);
    const auto executor = socket_.get_executor();
    tcp::resolver resolver(executor);
    auto [resolve_error, endpoints] =
        co_await resolver.async_resolve(options_.host, std::to_string(options_.port), use_tuple);
    if (resolve_error)
        co_return fail(net_errc::resolve_failed, fmt::format("cannot resolve {}: {}", options_.host,
                                                             resolve_error.message()));

    const auto deadline = std::chrono::steady_clock::now() + options_.connect_timeout;
    std::string attempts;
    for (const auto& entry : endpoints) {
        const auto endpoint = entry.endpoint();
        const auto remaining = deadline - std::chrono::steady_clock::now();
        if (remaining <= std::chrono::steady_clock::duration::zero())
            break;
        tcp::socket candidate(executor);
        auto result =
            co_await with_timeout(candidate.async_connect(endpoint, use_tuple), remaining);
        if (!result) {
            attempts += fmt::format("; {}: timed out", endpoint.address().to_string());
            break;
        }
        if (const auto [ec] = *result; ec) {
            attempts += fmt::format("; {}: {}", endpoint.address().to_string(), ec.message());
            continue;
        }
        socket_ = std::move(candidate);
        enable_keepalive(socket_);
        peer_is_loopback_ = endpoint.address().is_loopback();
        peer_address_ = endpoint.address().to_string();
        co_return std::error_code{};
    }
    if (std::chrono::steady_clock::now() >= deadline)
        co_return fail(net_errc::connect_timeout,
                       fmt::format("connecting to {} took longer than {} ms{}", target,
                                   options_.connect_timeout.count(), attempts));
    co_return fail(net_errc::connect_failed,
                   fmt::format("cannot connect to {}{}", target, attempts));
}

asio::awaitable<std::error_code> transport::start_tls() {
    if (!socket_.is_open())
        co_return fail(net_errc::not_connected, "start_tls() before connect()");
    if (tls_)
        co_return fail(net_errc::tls_already_active, "start_tls() called twice");
    boost::system::error_code ignored;
    const std::size_t waiting = buffer_.size() + socket_.available(ignored);
    if (waiting > 0) {
        close();
        co_return fail(net_errc::starttls_injection,
                       fmt::format("{} bytes from {} arrived after the answer to STARTTLS and "
                                   "before the TLS handshake; a man in the middle may have "
                                   "injected them, so the connection was dropped",
                                   waiting, options_.host));
    }

    tls_context_.emplace(asio::ssl::context::tls_client);
    std::string diagnostics;
    if (!options_.verify_certificate)
        spdlog::warn("TLS certificate verification is OFF for {} port {} (tls_verify: false in "
                     "the config): anyone on the network path can read and change this "
                     "connection, password included",
                     options_.host, options_.port);
    if (auto ec = configure_tls_client(*tls_context_, options_.ca_file, diagnostics,
                                       options_.verify_certificate)) {
        close();
        co_return fail(ec, std::move(diagnostics));
    }
    tls_.emplace(socket_, *tls_context_);
    keep_record_buffers(tls_->native_handle());
    if (auto ec = expect_peer_name(tls_->native_handle(), options_.host, diagnostics)) {
        abandon_tls();
        co_return fail(ec, std::move(diagnostics));
    }

    auto result = co_await with_timeout(
        tls_->async_handshake(asio::ssl::stream_base::client, use_tuple), options_.connect_timeout);
    if (!result) {
        abandon_tls();
        co_return fail(net_errc::connect_timeout,
                       fmt::format("TLS handshake with {} took longer than {} ms", options_.host,
                                   options_.connect_timeout.count()));
    }
    if (const auto [ec] = *result; ec) {
        if (is_end_of_stream(ec)) {
            // The connection went away mid-handshake (a dropped link, a restarting server):
            // worth retrying, unlike a handshake the server refused with an alert.
            abandon_tls();
            co_return fail(net_errc::connection_closed,
                           fmt::format("{} closed the connection during the TLS handshake ({})",
                                       options_.host, ec.message()));
        }
        auto classified =
            classify_handshake_failure(tls_->native_handle(), ec, options_.host, diagnostics);
        abandon_tls();
        co_return fail(classified, std::move(diagnostics));
    }
    tls_info_ = describe_tls_session(tls_->native_handle());
    co_return std::error_code{};
}

asio::awaitable<std::error_code> transport::write(std::string_view data) {
    if (!socket_.is_open())
        co_return fail(net_errc::not_connected, "write on a closed connection");
    auto buffer = asio::buffer(data);
    write_deadline_ = clock::now() + options_.write_timeout;
    write_timed_out_ = false;
    watch(write_deadline_);
    const auto result = tls_ ? co_await asio::async_write(*tls_, buffer, use_tuple)
                             : co_await asio::async_write(socket_, buffer, use_tuple);
    write_deadline_ = clock::time_point::max();
    if (write_timed_out_) {
        close();
        co_return fail(net_errc::write_timeout,
                       fmt::format("{} did not accept data for {} ms", options_.host,
                                   options_.write_timeout.count()));
    }
    if (const auto [ec, n] = result; ec) {
        close();
        if (is_end_of_stream(ec) || ec == asio::error::broken_pipe)
            co_return fail(
                net_errc::connection_closed,
                fmt::format("{} closed the connection while we were sending", options_.host));
        co_return fail(ec, fmt::format("sending to {}: {}", options_.host, ec.message()));
    }
    co_return std::error_code{};
}

// Reads once from the socket into buffer_.
asio::awaitable<std::error_code> transport::fill() {
    if (!socket_.is_open())
        co_return fail(net_errc::not_connected, "read on a closed connection");
    auto buffer = asio::buffer(read_chunk_);
    read_deadline_ = clock::now() + options_.read_timeout;
    read_timed_out_ = false;
    watch(read_deadline_);
    const auto [ec, n] = tls_ ? co_await tls_->async_read_some(buffer, use_tuple)
                              : co_await socket_.async_read_some(buffer, use_tuple);
    read_deadline_ = clock::time_point::max();
    if (read_timed_out_) {
        close();
        co_return fail(
            net_errc::read_timeout,
            fmt::format("{} sent nothing for {} ms", options_.host, options_.read_timeout.count()));
    }
    buffer_.append(std::string_view(read_chunk_.data(), n));
    if (ec) {
        close();
        if (is_end_of_stream(ec))
            co_return fail(net_errc::connection_closed,
                           fmt::format("{} closed the connection", options_.host));
        co_return fail(ec, fmt::format("reading from {}: {}", options_.host, ec.message()));
    }
    co_return std::error_code{};
}

asio::awaitable<std::error_code> transport::read_line(std::string& line) {
    for (;;) {
        if (auto complete = buffer_.take_line()) {
            line = std::move(*complete);
            co_return std::error_code{};
        }
        if (buffer_.size() > options_.max_line_length) {
            close();
            co_return fail(net_errc::line_too_long,
                           fmt::format("{} sent a line longer than {} bytes", options_.host,
                                       options_.max_line_length));
        }
        if (auto ec = co_await fill())
            co_return ec;
    }
}

asio::awaitable<std::error_code> transport::read_exactly(std::size_t n, std::string& data) {
    for (;;) {
        if (auto complete = buffer_.take_exactly(n)) {
            data = std::move(*complete);
            co_return std::error_code{};
        }
        if (auto ec = co_await fill())
            co_return ec;
    }
}

asio::awaitable<std::error_code> transport::read_some(std::string& data) {
    if (buffer_.empty())
        if (auto ec = co_await fill())
            co_return ec;
    buffer_.take_all(data);
    co_return std::error_code{};
}

void transport::watch(clock::time_point deadline) {
    if (watchdog_waiting_ && watchdog_.expiry() <= deadline)
        return;                     // it wakes up earlier and looks again
    watchdog_.expires_at(deadline); // cancels a later wait
    watchdog_waiting_ = true;
    watchdog_.async_wait(
        [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
            // Aborted: moved earlier, or the connection closed (the transport may be gone).
            if (ec == asio::error::operation_aborted || alive.expired())
                return;
            watchdog_waiting_ = false;
            check_deadlines();
        });
}

void transport::check_deadlines() {
    const auto now = clock::now();
    read_timed_out_ = now >= read_deadline_;
    write_timed_out_ = now >= write_deadline_;
    if (read_timed_out_ || write_timed_out_) {
        // The late operation completes with operation_aborted and reports its timeout.
        boost::system::error_code ignored;
        socket_.cancel(ignored);
        return;
    }
    if (const auto next = std::min(read_deadline_, write_deadline_);
        next != clock::time_point::max())
        watch(next);
}

void transport::abandon_tls() {
    close();
    tls_.reset();
    tls_context_.reset();
}

void transport::close() {
    // No wait left behind that would keep the event loop running.
    watchdog_.cancel();
    watchdog_waiting_ = false;
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
}

} // namespace postfach::net
