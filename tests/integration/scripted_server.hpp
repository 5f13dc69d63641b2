#pragma once
// A scripted one-connection TCP server on 127.0.0.1 for transport tests: it accepts one client
// and runs a coroutine (the script) on the socket, in the test's io_context.

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

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
    // From any thread, once the client is done: stops waiting for a connection that never came,
    // so that io.run() returns when the script (if it started) has finished.
    void stop_accepting() {
        asio::post(acceptor_.get_executor(), [this] {
            boost::system::error_code ignored;
            acceptor_.close(ignored);
        });
    }

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

// Sends `chunk` again and again, up to `total` bytes or until the client stops reading and
// goes away. Returns the bytes sent. For "endless" lines and listings.
inline asio::awaitable<std::size_t> send_repeated(tcp::socket& socket, std::string chunk,
                                                  std::size_t total) {
    std::size_t sent = 0;
    while (sent < total) {
        auto [ec, n] = co_await asio::async_write(socket, asio::buffer(chunk), use_tuple);
        sent += n;
        if (ec)
            break;
    }
    co_return sent;
}

// The upper-cased command of a client line "TAG COMMAND args\r\n" (tag and CRLF removed), so
// that scripts can match e.g. "UID FETCH" or "BODY.PEEK[]".
inline std::string command_of(std::string_view line) {
    const auto space = line.find(' ');
    std::string out(space == std::string_view::npos ? std::string_view() : line.substr(space + 1));
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
        out.pop_back();
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}

// A minimal IMAP4rev1 server for `postfach sync` and `check` (no TLS: the config says tls: none
// on loopback): the folders listed (INBOX by default), each holding the same one unseen message
// with UID 1 and UIDVALIDITY 42. Any AUTHENTICATE or LOGIN is accepted.
// Every client line first goes to `hook` (with its tag and upper-cased command); a hook that
// answered the command itself returns true, and the conversation ends there: the server then
// only records what the client still sends before it disconnects (`after_hook`).
// Without a hook taking over, the server answers as a plain, correct server would.
struct fake_imap_mailbox {
    using hook_type =
        std::function<asio::awaitable<bool>(tcp::socket&, std::string tag, std::string command)>;
    std::string message = "Message-ID: <one@example.com>\r\nSubject: one\r\n\r\nbody\r\n";
    std::string capabilities = "IMAP4rev1 AUTH=PLAIN SASL-IR UIDPLUS";
    std::vector<std::string> folders{"INBOX"};
    hook_type hook;
    std::vector<std::string> lines;    // every line the client sent, as sent
    std::vector<std::string> commands; // the same upper-cased, tags removed
    std::string after_hook;            // what the client sent after the hook took over
    bool logged_out = false;

    asio::awaitable<void> serve(tcp::socket& socket) {
        co_await send(socket, "* OK [CAPABILITY " + capabilities + "] fake server ready\r\n");
        asio::streambuf buffer;
        while (true) {
            const std::string line = co_await receive_line(socket, buffer);
            if (line.empty())
                co_return;
            const std::string tag = line.substr(0, line.find(' '));
            const std::string command = command_of(line);
            lines.push_back(line);
            commands.push_back(command);
            bool taken = false;
            if (hook)
                taken = co_await hook(socket, tag, command);
            if (taken) {
                std::string rest(asio::buffers_begin(buffer.data()),
                                 asio::buffers_end(buffer.data()));
                char data[4096];
                while (true) {
                    auto [ec, n] = co_await socket.async_read_some(asio::buffer(data), use_tuple);
                    if (ec)
                        break;
                    rest.append(data, n);
                }
                after_hook = rest;
                co_return;
            }
            co_await send(socket, answer(tag, command));
            if (command.starts_with("LOGOUT")) {
                logged_out = true;
                co_return;
            }
        }
    }

    [[nodiscard]] std::string header() const {
        return message.substr(0, message.find("\r\n\r\n") + 4);
    }

private:
    [[nodiscard]] std::string answer(const std::string& tag, const std::string& command) const {
        const std::string ok = tag + " OK done\r\n";
        if (command.starts_with("CAPABILITY"))
            return "* CAPABILITY " + capabilities + "\r\n" + ok;
        if (command.starts_with("AUTHENTICATE") || command.starts_with("LOGIN"))
            return tag + " OK [CAPABILITY IMAP4rev1 UIDPLUS] logged in\r\n";
        if (command.starts_with("LIST")) {
            std::string list;
            for (const auto& f : folders)
                list += "* LIST (\\HasNoChildren) \"/\" \"" + f + "\"\r\n";
            return list + ok;
        }
        if (command.starts_with("SELECT") || command.starts_with("EXAMINE"))
            return "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n* 1 EXISTS\r\n"
                   "* 0 RECENT\r\n* OK [UIDVALIDITY 42] ok\r\n* OK [UIDNEXT 2] ok\r\n" +
                   tag + " OK [READ-WRITE] selected\r\n";
        if (command.starts_with("UID FETCH")) {
            // The items asked for, in a fixed order.
            std::string items = "UID 1";
            const auto has = [&](std::string_view item) {
                return command.find(item) != std::string::npos;
            };
            if (has("FLAGS"))
                items += " FLAGS ()";
            if (has("RFC822.SIZE"))
                items += " RFC822.SIZE " + std::to_string(message.size());
            if (has("INTERNALDATE"))
                items += " INTERNALDATE \"26-Nov-2026 10:00:00 +0000\"";
            if (has("BODY.PEEK[HEADER]"))
                items += " BODY[HEADER] {" + std::to_string(header().size()) + "}\r\n" + header();
            if (has("BODY.PEEK[]"))
                items += " BODY[] {" + std::to_string(message.size()) + "}\r\n" + message;
            return "* 1 FETCH (" + items + ")\r\n" + ok;
        }
        if (command.starts_with("LOGOUT"))
            return "* BYE see you\r\n" + ok;
        return ok;
    }
};

} // namespace postfach::test
