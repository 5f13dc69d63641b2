#pragma once
// Incremental, sans-IO parser of IMAP server responses (RFC 3501 §7, RFC 9051 §7, and the
// extensions in response.hpp). Bytes go in through consume(); a complete response comes out,
// or nothing ("need more"), or an error.
//
// Framing and parsing are separate steps. Framing reads lines and literals, keeping the text of
// the current response; it recognises FETCH body items (BODY[...]<n>, BINARY[...], RFC822*) and
// streams their literals to the body_sink straight from the caller's buffer, so the buffered text
// holds everything but message bodies. When the last line of a response is in, it is parsed as a
// whole into a struct. Limits bound memory and recursion against a hostile server.

#include "imap/body_sink.hpp"
#include "imap/response.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace postfach::imap {

struct parser_limits {
    std::size_t max_line_size = std::size_t{1} << 20;        // one line of text, literals excluded
    std::uint64_t max_literal_size = std::uint64_t{1} << 30; // any literal, bodies included
    std::size_t max_response_size = std::size_t{16} << 20;   // buffered text of one response
    int max_nesting_depth = 100;                             // parenthesised lists
};

class response_parser {
public:
    explicit response_parser(parser_limits limits = {});

    // The sink receives FETCH bodies; nullptr (the default) discards them. The sink must outlive
    // its use by the parser. Change it only between responses.
    void set_body_sink(body_sink* sink) noexcept { sink_ = sink; }

    // Reads from the front of `input` and advances it past what was used. Stops as soon as one
    // response is complete, so the bytes after it stay in `input` (see STARTTLS injection).
    // Returns the response; or nullopt with ec clear when `input` is used up without completing
    // one; or nullopt with ec set on a protocol error (diagnostics() explains, quoting the
    // server). After an error the parser stays failed (imap_errc::parser_failed) until reset().
    std::optional<response> consume(std::string_view& input, std::error_code& ec);

    [[nodiscard]] const std::string& diagnostics() const noexcept { return diagnostics_; }
    // True when part of a response has been read: bytes are buffered or a body is streaming.
    [[nodiscard]] bool mid_response() const noexcept;
    // Forgets any partial response and a previous error.
    void reset();

private:
    enum class state { line, literal, body_literal, failed };
    enum class kind { unknown, single_line, data, fetch };

    std::optional<response> on_line_complete(std::error_code& ec);
    std::optional<response> finish_response(std::error_code& ec);
    void classify_first_line(std::string_view line);
    void scan(std::size_t from, std::size_t to);
    void finish_atom(std::size_t at);
    bool start_body_literal(std::size_t marker, std::uint64_t size);
    void fail(std::error_code& ec, std::error_code error, std::string_view what,
              std::string_view near);
    void reset_response();

    parser_limits limits_;
    body_sink* sink_ = nullptr;
    state state_ = state::line;
    std::string diagnostics_;
    std::error_code failure_;

    // The current response: lines and buffered literals, as received (bodies left out).
    std::string text_;
    std::size_t line_start_ = 0;
    std::uint64_t literal_remaining_ = 0;
    std::vector<std::size_t> streamed_; // offsets of the markers of streamed literals
    std::string context_;               // "tagged response A5", "untagged FETCH", ...

    // Framing scanner state across the lines of one response.
    kind kind_ = kind::unknown;
    std::uint32_t seq_ = 0;
    int depth_ = 0;
    int bracket_ = 0;
    bool in_quote_ = false;
    bool escape_ = false;
    std::size_t atom_start_ = std::string::npos;
    std::size_t last_atom_start_ = std::string::npos;
    std::size_t last_atom_end_ = std::string::npos;
    bool previous_atom_was_uid_ = false;
    std::optional<std::uint32_t> uid_;
};

} // namespace postfach::imap
