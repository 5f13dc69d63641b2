#pragma once
// POP3 server responses (RFC 1939 §3, RFC 2449 CAPA and RESP-CODES, RFC 5034 AUTH) as the
// response_parser returns them. A POP3 response does not say whether it is multi-line: that
// follows from the command, so the parser is told what to expect (response_kind).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace postfach::pop3 {

enum class response_kind {
    status,   // +OK / -ERR, one line (greeting, USER, PASS, DELE, QUIT, ...)
    sasl,     // AUTH: +OK / -ERR, or a continuation "+ base64"
    stat,     // STAT: +OK count size
    uidl_one, // UIDL n: +OK n unique-id
    list_one, // LIST n: +OK n size
    capa,     // CAPA: multi-line capabilities
    uidl_all, // UIDL: multi-line "n unique-id"
    list_all, // LIST: multi-line "n size"
    message,  // RETR, TOP: multi-line message, streamed to the message_sink
};

struct capability {
    std::string name; // upper-cased: "SASL", "PIPELINING"
    std::vector<std::string> args;

    friend bool operator==(const capability&, const capability&) = default;
};

// UIDL (RFC 1939 §7): the id is 1-70 characters 0x21-0x7e, persistent across sessions.
struct uidl_entry {
    std::uint32_t number = 0;
    std::string uid;

    friend bool operator==(const uidl_entry&, const uidl_entry&) = default;
};

// A LIST scan listing, or STAT's drop listing (number = message count).
struct scan_listing {
    std::uint32_t number = 0;
    std::uint64_t size = 0; // octets, CRLF-counted, before dot-stuffing

    friend bool operator==(const scan_listing&, const scan_listing&) = default;
};

struct response {
    enum class kind { ok, err, continuation };
    kind type = kind::ok;
    // RFC 2449 §8 RESP-CODE without brackets, as sent ("SYS/TEMP", "IN-USE"); empty if none.
    std::string code;
    // Untrusted server text after the status and code; for a continuation the base64 text.
    std::string text;

    // Filled on +OK according to the expected kind; empty otherwise.
    std::vector<capability> capabilities; // capa
    std::vector<uidl_entry> uidls;        // uidl_all; uidl_one: one entry
    std::vector<scan_listing> listings;   // list_all; list_one and stat: one entry
    std::uint64_t message_octets = 0;     // message: octets given to the sink (unstuffed)

    [[nodiscard]] bool ok() const noexcept { return type == kind::ok; }

    friend bool operator==(const response&, const response&) = default;
};

} // namespace postfach::pop3
