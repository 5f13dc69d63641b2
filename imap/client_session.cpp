#include "imap/client_session.hpp"

#include "imap/imap_errc.hpp"
#include "util/logging.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <optional>
#include <spdlog/spdlog.h>
#include <utility>

namespace postfach::imap {

namespace asio = boost::asio;
using logging::direction;

namespace {

// Calls f with each line of bytes (without its line ending); the last one may be partial.
template <typename F>
void for_each_line(std::string_view bytes, F&& f) {
    while (!bytes.empty()) {
        const auto end = bytes.find('\n');
        f(bytes.substr(0, end));
        if (end == std::string_view::npos)
            return;
        bytes.remove_prefix(end + 1);
    }
}

} // namespace

client_session::client_session(net::byte_stream& stream, session_options options,
                               std::string trace_name)
    : stream_(stream)
    , fsm_(std::move(options), this)
    , trace_name_(std::move(trace_name)) {
    fsm_.on_connected();
}

const std::string& client_session::diagnostics() const noexcept {
    return transport_diagnostics_.empty() ? fsm_.diagnostics() : transport_diagnostics_;
}

asio::awaitable<std::error_code> client_session::open() {
    co_return co_await drive([this] { return fsm_.current_phase() == session_fsm::phase::ready; });
}

asio::awaitable<std::error_code> client_session::run(command cmd, command_result& result,
                                                     const run_options& options) {
    untagged_.clear();
    std::string tag;
    if (const auto ec = submit(std::move(cmd), tag))
        co_return ec;
    co_return co_await wait(std::move(tag), result, options);
}

std::error_code client_session::submit(command cmd, std::string& tag) {
    tag = cmd.tag;
    return fsm_.submit(std::move(cmd), [this, tag](const status_response& r) {
        tagged_.insert_or_assign(tag, command_result{r, std::exchange(untagged_, {})});
    });
}

asio::awaitable<std::error_code> client_session::wait(std::string tag, command_result& result,
                                                      const run_options& options) {
    if (const auto ec = co_await drive([&] { return tagged_.contains(tag); }, &options))
        co_return ec;
    auto done = tagged_.extract(tag);
    result = std::move(done.mapped());
    co_return std::error_code();
}

asio::awaitable<std::error_code> client_session::open_body(std::string tag, bool& due) {
    const auto body_due = [&] {
        const auto a = fsm_.next();
        return a.type == next_action::kind::write_body && a.tag == tag;
    };
    due = false;
    if (const auto ec =
            co_await drive([&] { return body_due() || tagged_.contains(tag); }, nullptr))
        co_return ec;
    due = body_due();
    if (due)
        logging::trace_protocol(trace_name_, direction::client_to_server,
                                "<" + std::to_string(fsm_.next().body_size) + " octets>");
    co_return std::error_code();
}

asio::awaitable<std::error_code> client_session::write_body(std::string_view bytes) {
    if (const auto ec = co_await stream_.write(bytes))
        co_return transport_failed(ec);
    co_return std::error_code();
}

void client_session::end_body() {
    fsm_.on_written();
}

void client_session::abandon(std::error_code ec) {
    fsm_.on_transport_error(ec);
    stream_.close();
}

asio::awaitable<std::error_code> client_session::logout(logout_wait wait) {
    if (fsm_.in_flight() > 0) // their answers come first, and are read, as LOGOUT's
        wait = logout_wait::for_answer;
    if (const auto ec = fsm_.logout())
        co_return ec;
    std::function<bool()> until; // none: until the session is done, at LOGOUT's answer
    if (wait == logout_wait::until_sent)
        until = [this] {
            return !fsm_.has_output();
        };
    auto ec = co_await drive(until);
    if (const auto after = fsm_.next(); !ec && after.type == next_action::kind::done)
        ec = after.error; // the LOGOUT could not be written
    stream_.close();
    co_return ec;
}

asio::awaitable<std::error_code> client_session::drive(const std::function<bool()>& until,
                                                       const run_options* options) {
    std::string data;
    for (;;) {
        if (until && until())
            co_return std::error_code();
        const auto action = fsm_.next();
        if (action.type != next_action::kind::done)
            failed_phase_ = fsm_.current_phase();
        switch (action.type) {
        case next_action::kind::write: {
            trace_sent(action.bytes, action.sensitive);
            if (const auto ec = co_await stream_.write(action.bytes))
                transport_failed(ec);
            else
                fsm_.on_written();
            break;
        }
        case next_action::kind::write_body: {
            // Only the run() that submitted the APPEND has its body.
            if (options == nullptr || options->append_body.size() != action.body_size) {
                fsm_.on_transport_error(imap_errc::wrong_state);
                co_return imap_errc::wrong_state;
            }
            logging::trace_protocol(trace_name_, direction::client_to_server,
                                    "<" + std::to_string(action.body_size) + " octets>");
            if (const auto ec = co_await stream_.write(options->append_body))
                transport_failed(ec);
            else
                fsm_.on_written();
            break;
        }
        case next_action::kind::read:
            if (const auto ec = co_await stream_.read_some(data)) {
                transport_failed(ec);
            } else {
                trace_received(data);
                fsm_.on_bytes(data);
                if (options != nullptr && options->after_read) {
                    if (const auto hook_ec = co_await options->after_read()) {
                        fsm_.on_transport_error(hook_ec);
                        co_return hook_ec;
                    }
                }
            }
            break;
        case next_action::kind::start_tls:
            if (const auto ec = co_await stream_.start_tls())
                transport_failed(ec);
            else
                fsm_.on_tls_established();
            break;
        case next_action::kind::idle:
            // Nothing due and nothing awaited: the caller asked for what cannot happen.
            co_return imap_errc::wrong_state;
        case next_action::kind::done:
            if (action.error)
                co_return action.error;
            // A clean LOGOUT; for anything else the session ended before `until`.
            co_return until ? std::error_code(imap_errc::wrong_state) : std::error_code();
        }
    }
}

asio::awaitable<std::error_code> client_session::idle(std::function<asio::awaitable<void>()> wake,
                                                      idle_result& result) {
    using namespace asio::experimental::awaitable_operators;
    result = {};
    untagged_.clear();
    std::optional<status_response> tagged;
    bool completed = false;
    if (const auto ec = fsm_.submit(fsm_.writer().idle(), [&](const status_response& r) {
            tagged = r;
            completed = true;
        }))
        co_return ec;
    if (const auto ec = co_await drive([&] { return fsm_.idling() || completed; }))
        co_return ec;
    if (completed && tagged->status != status_word::ok)
        co_return imap_errc::command_failed; // refused: the session goes on without IDLE
    idle_woken_ = completed;
    idle_wake_.emplace(co_await asio::this_coro::executor,
                       std::chrono::steady_clock::time_point::max());
    const auto [read_ec, write_ec] =
        co_await (read_while_idling(completed, result) && end_idle_when_woken(std::move(wake)));
    idle_wake_.reset();
    result.untagged = std::move(untagged_);
    untagged_.clear();
    if (read_ec)
        co_return read_ec;
    co_return write_ec;
}

asio::awaitable<std::error_code> client_session::read_while_idling(const bool& completed,
                                                                   idle_result& result) {
    const auto wake_writer = [this] {
        idle_woken_ = true;
        if (idle_wake_)
            idle_wake_->cancel();
    };
    // Changes in the mailbox wake the caller; "* OK Still here" keep-alives do not.
    const auto is_change = [](const response& r) {
        return !std::holds_alternative<status_response>(r);
    };
    std::string data;
    for (;;) {
        // Data may have come with the "+" already, or in the last read.
        if (!result.server_woke && std::any_of(untagged_.begin(), untagged_.end(), is_change)) {
            result.server_woke = true;
            wake_writer();
        }
        if (completed)
            break;
        if (const auto ec = co_await stream_.read_some(data)) {
            transport_failed(ec);
            wake_writer();
            co_return ec;
        }
        trace_received(data);
        fsm_.on_bytes(data);
        if (fsm_.current_phase() == session_fsm::phase::done) {
            wake_writer();
            co_return fsm_.error() ? fsm_.error() : std::error_code(imap_errc::wrong_state);
        }
    }
    wake_writer();
    co_return std::error_code();
}

asio::awaitable<std::error_code>
client_session::end_idle_when_woken(std::function<asio::awaitable<void>()> wake) {
    using namespace asio::experimental::awaitable_operators;
    if (!idle_woken_)
        co_await (wake() || idle_wake_->async_wait(asio::as_tuple(asio::use_awaitable)));
    if (!fsm_.idling() || fsm_.current_phase() != session_fsm::phase::ready)
        co_return std::error_code(); // the server ended IDLE, or the session failed
    if (const auto ec = fsm_.stop_idle())
        co_return ec;
    co_return co_await write_pending();
}

asio::awaitable<std::error_code> client_session::write_pending() {
    for (auto action = fsm_.next(); action.type == next_action::kind::write; action = fsm_.next()) {
        trace_sent(action.bytes, action.sensitive);
        if (const auto ec = co_await stream_.write(action.bytes))
            co_return transport_failed(ec);
        fsm_.on_written();
    }
    co_return std::error_code();
}

std::error_code client_session::transport_failed(std::error_code ec) {
    transport_diagnostics_ = stream_.diagnostics();
    fsm_.on_transport_error(ec);
    return ec;
}

void client_session::on_untagged(response&& r) {
    untagged_.push_back(std::move(r));
}

void client_session::trace_sent(std::string_view bytes, bool sensitive) {
    if (!spdlog::should_log(spdlog::level::trace))
        return;
    for_each_line(bytes, [&](std::string_view line) {
        // A command line with credentials in it ("A3 AUTHENTICATE PLAIN <ir>", "A1 LOGIN u p")
        // shows its command with the secret part replaced; a bare SASL response only its length.
        const bool redactable = sensitive && logging::redact_credentials(line) != std::string(line);
        logging::trace_protocol(trace_name_, direction::client_to_server, line,
                                sensitive && !redactable);
    });
}

void client_session::trace_received(std::string_view bytes) {
    if (!spdlog::should_log(spdlog::level::trace))
        return;
    trace_pending_ += bytes;
    std::string_view rest = trace_pending_;
    for (auto end = rest.find('\n'); end != std::string_view::npos; end = rest.find('\n')) {
        logging::trace_protocol(trace_name_, direction::server_to_client, rest.substr(0, end));
        rest.remove_prefix(end + 1);
    }
    trace_pending_.erase(0, trace_pending_.size() - rest.size());
    // A message body without line breaks: trace it in pieces rather than buffer it whole.
    constexpr std::size_t max_pending = 64 * 1024;
    if (trace_pending_.size() > max_pending) {
        logging::trace_protocol(trace_name_, direction::server_to_client, trace_pending_);
        trace_pending_.clear();
    }
}

} // namespace postfach::imap
