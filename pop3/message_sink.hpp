#pragma once
// Receiver of RETR/TOP message bodies. The parser hands the message to the sink in chunks as
// they arrive, dot-unstuffed and straight from the caller's buffer, so a message is never held
// in memory a second time.
//
// Contract: after a +OK to RETR/TOP the parser calls begin() once, data() zero or more times
// (non-empty chunks of any size; together the message with CRLF line ends, the terminating
// ".CRLF" excluded), then end() when the terminator is in; only then does consume() return the
// response. If the parser reports an error or the connection drops before end(), the message is
// void: the sink must treat what it received since begin() as unconfirmed (keep it in tmp/).

#include <string_view>

namespace postfach::pop3 {

class message_sink {
public:
    virtual ~message_sink() = default;
    virtual void begin() = 0;
    virtual void data(std::string_view chunk) = 0;
    virtual void end() = 0;
};

} // namespace postfach::pop3
