#include "net/fake_stream.hpp"

#include "net/net_errc.hpp"

#include <fmt/format.h>

namespace postfach::net {

std::error_code fake_stream::begin_operation(std::string_view what) {
    const std::size_t index = operations_++;
    if (const auto failure = failures_.find(index); failure != failures_.end()) {
        open_ = false;
        diagnostics_ = fmt::format("fake_stream: {} (operation {}) failed as scripted: {}", what,
                                   index, failure->second.message());
        return failure->second;
    }
    if (!open_) {
        diagnostics_ = fmt::format("fake_stream: {} on a closed stream", what);
        return net_errc::not_connected;
    }
    return {};
}

std::error_code fake_stream::next_arrival() {
    if (arrivals_.empty()) {
        open_ = false;
        diagnostics_ = "fake_stream: the script has no more server data";
        return net_errc::connection_closed;
    }
    buffer_.append(arrivals_.front());
    arrivals_.pop_front();
    return {};
}

boost::asio::awaitable<std::error_code> fake_stream::start_tls() {
    if (auto ec = begin_operation("start_tls"))
        co_return ec;
    if (tls_) {
        diagnostics_ = "fake_stream: start_tls twice";
        co_return net_errc::tls_already_active;
    }
    if (!buffer_.empty() || !arrivals_.empty()) {
        open_ = false;
        diagnostics_ = "fake_stream: unread server data at start_tls";
        co_return net_errc::starttls_injection;
    }
    tls_ = true;
    co_return std::error_code{};
}

boost::asio::awaitable<std::error_code> fake_stream::write(std::string_view data) {
    if (auto ec = begin_operation("write"))
        co_return ec;
    written_.append(data);
    co_return std::error_code{};
}

boost::asio::awaitable<std::error_code> fake_stream::read_line(std::string& line) {
    if (auto ec = begin_operation("read_line"))
        co_return ec;
    for (;;) {
        if (auto complete = buffer_.take_line()) {
            line = std::move(*complete);
            co_return std::error_code{};
        }
        if (auto ec = next_arrival())
            co_return ec;
    }
}

boost::asio::awaitable<std::error_code> fake_stream::read_exactly(std::size_t n,
                                                                  std::string& data) {
    if (auto ec = begin_operation("read_exactly"))
        co_return ec;
    for (;;) {
        if (auto complete = buffer_.take_exactly(n)) {
            data = std::move(*complete);
            co_return std::error_code{};
        }
        if (auto ec = next_arrival())
            co_return ec;
    }
}

boost::asio::awaitable<std::error_code> fake_stream::read_some(std::string& data) {
    if (auto ec = begin_operation("read_some"))
        co_return ec;
    if (buffer_.empty())
        if (auto ec = next_arrival())
            co_return ec;
    buffer_.take_all(data);
    co_return std::error_code{};
}

} // namespace postfach::net
