#pragma once
// Incremental, sans-IO parser of POP3 server responses. Bytes go in through consume(); a complete
// response comes out, or nothing ("need more"), or an error. Because POP3 responses do not
// describe themselves, the caller says before each response what it expects (expect()).
//
// Single lines and listing lines are buffered up to max_line_size; message bodies (RETR, TOP)
// are never buffered but streamed to the message_sink, dot-unstuffed, from the caller's buffer.

#include "pop3/message_sink.hpp"
#include "pop3/response.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace postfach::pop3 {

struct parser_limits {
    // Any buffered line, CRLF included. RFC 2449 §4 caps response lines at 512 octets.
    std::size_t max_line_size = 512;
    std::uint64_t max_message_size = std::uint64_t{1} << 30; // RETR/TOP body after unstuffing
    std::size_t max_listing_entries = std::size_t{1} << 20;  // lines of CAPA/UIDL/LIST
    // Bytes of one listing's lines: with max_line_size alone, a million entries could still take
    // half a GiB (a UIDL of 100,000 messages with 70-character ids is about 8 MiB).
    std::size_t max_listing_size = std::size_t{32} << 20;
};

class response_parser {
public:
    explicit response_parser(parser_limits limits = {});

    // What the next response answers: its kind, the command's name for diagnostics ("RETR 3"),
    // and for `message` the sink (nullptr discards; it must outlive the response). Call between
    // responses; the expectation stays until changed. Initially: a status line, "greeting".
    void expect(response_kind kind, std::string_view command, message_sink* sink = nullptr);

    // Reads from the front of `input` and advances it past what was used. Stops as soon as one
    // response is complete, so the bytes after it stay in `input` (see STLS injection).
    // Returns the response; or nullopt with ec clear when `input` is used up without completing
    // one; or nullopt with ec set on a protocol error (diagnostics() names the command and
    // quotes the server). After an error the parser stays failed (parser_failed) until reset().
    std::optional<response> consume(std::string_view& input, std::error_code& ec);

    [[nodiscard]] const std::string& diagnostics() const noexcept { return diagnostics_; }
    // True when part of a response has been read.
    [[nodiscard]] bool mid_response() const noexcept;
    // Forgets any partial response and a previous error; keeps the expectation.
    void reset();

private:
    enum class state {
        first_line,
        listing_line,
        body_bol,
        body_mid,
        body_dot,
        body_dot_cr,
        failed
    };

    bool take_line(std::string_view& input, std::error_code& ec);
    std::optional<response> on_first_line(std::error_code& ec);
    std::optional<response> on_listing_line(std::error_code& ec);
    std::optional<response> stream_body(std::string_view& input, std::error_code& ec);
    bool emit(std::string_view chunk, std::error_code& ec);
    response finish();
    void fail(std::error_code& ec, std::error_code error, std::string_view what,
              std::string_view near);

    parser_limits limits_;
    response_kind kind_ = response_kind::status;
    std::string command_ = "greeting";
    message_sink* sink_ = nullptr;

    state state_ = state::first_line;
    std::string line_;
    bool line_started_ = false;
    bool last_cr_ = false;
    response current_;
    std::size_t listing_size_ = 0; // bytes of the current listing's lines so far
    std::string diagnostics_;
};

// Parsers of the single-line payloads, exposed for callers and tests: "n size" (LIST n, STAT;
// trailing text after the size is allowed, RFC 1939 §5) and "n unique-id" (UIDL).
std::optional<scan_listing> parse_scan_listing(std::string_view text);
std::optional<uidl_entry> parse_uidl_entry(std::string_view text);
std::optional<capability> parse_capability(std::string_view line);

} // namespace postfach::pop3
