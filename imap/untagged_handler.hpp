#pragma once
// Receiver of untagged server data (EXISTS, EXPUNGE, VANISHED, FETCH, FLAGS, LIST, STATUS, ...),
// which IMAP allows at any time (RFC 3501 §5.2, §7). The owner of the mailbox state implements
// it; the session calls it synchronously, in wire order, before the tagged completion of the
// command during which the data arrived.

#include "imap/response.hpp"

namespace postfach::imap {

class untagged_handler {
public:
    virtual ~untagged_handler() = default;
    // The handler takes the data (a FETCH response may be big: no copy per response).
    virtual void on_untagged(response&& data) = 0;
};

} // namespace postfach::imap
