#pragma once
// A client command as a sequence of parts for the transport to send in order. A command with a
// synchronizing literal cannot go out in one write: the client must wait for the server's "+"
// continuation before sending the literal's bytes, so the writer marks those points.

#include <cstdint>
#include <string>
#include <vector>

namespace postfach::imap {

struct command_part {
    enum class kind {
        bytes,                 // send `bytes`
        wait_for_continuation, // wait for a "+" response before sending the next part
        body,                  // the caller sends exactly body_size bytes of its data here
    };
    kind type = kind::bytes;
    std::string bytes;
    std::uint64_t body_size = 0;
    // `bytes` carry credentials (a password, a SASL response): traces must show only the length
    // (logging::trace_protocol(..., sensitive = true)).
    bool sensitive = false;

    friend bool operator==(const command_part&, const command_part&) = default;
};

struct command {
    std::string tag;  // "A7"; empty for DONE and SASL continuation lines, which are untagged
    std::string name; // "UID FETCH", for diagnostics and traces
    std::vector<command_part> parts;

    // True if the command must stop for a continuation before it is completely sent.
    [[nodiscard]] bool waits_for_continuation() const {
        for (const auto& part : parts)
            if (part.type == command_part::kind::wait_for_continuation)
                return true;
        return false;
    }
};

} // namespace postfach::imap
