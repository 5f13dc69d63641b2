#pragma once
// Receiver of message bodies in FETCH responses. The parser hands BODY[...], BINARY[...] and
// RFC822* literals to the sink in chunks as they arrive, straight from the caller's buffer, so a
// message is never held in memory a second time.
//
// Contract: for each body item the parser calls begin() once, data() zero or more times (chunks
// of any size, together exactly header.size bytes), then end(). Calls for one response come
// before the fetch_data of that response is returned: literals as they arrive, the rare body
// sent as a quoted string when the whole response is in. NIL bodies cause no calls. If the parser
// later reports an error, the response is void: the sink must treat what it received since the last
// begin() as unconfirmed (e.g. keep it in tmp/). If the connection drops mid-body, end() is never
// called.

#include <cstdint>
#include <optional>
#include <string_view>

namespace postfach::imap {

struct body_section_header {
    std::uint32_t seq = 0;
    // The UID when the server sent it before the body in the same FETCH (Dovecot does); if not,
    // the fetch_data returned afterwards carries it.
    std::optional<std::uint32_t> uid;
    std::string_view item;    // "BODY", "BINARY", "RFC822", "RFC822.HEADER", "RFC822.TEXT"
    std::string_view section; // "" for BODY[], "HEADER", "1.2.TEXT", ...
    std::optional<std::uint64_t> origin;
    std::uint64_t size = 0;
};

class body_sink {
public:
    virtual ~body_sink() = default;
    virtual void begin(const body_section_header& header) = 0;
    virtual void data(std::string_view chunk) = 0;
    virtual void end() = 0;
};

} // namespace postfach::imap
