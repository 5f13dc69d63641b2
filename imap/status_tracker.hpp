#pragma once
// Polling without IDLE (RFC 3501 STATUS, RFC 5819 LIST-STATUS): remembers what the last poll
// said about each mailbox and names the mailboxes whose STATUS changed since. Sans-IO: the caller
// runs the commands and passes their untagged responses.
//
// A mailbox changed when any item of its STATUS differs (the caller asks for UIDVALIDITY,
// UIDNEXT, MESSAGES and, with CONDSTORE, HIGHESTMODSEQ: new mail, expunges, flag changes), when
// it appears, or, after a poll that covered every mailbox (LIST-STATUS), when it is gone.

#include "imap/response.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace postfach::imap {

class status_tracker {
public:
    // One poll's untagged responses (STATUS; LIST and the rest are ignored). `complete`: the
    // poll listed every mailbox, so one missing from it is gone. Returns the changed mailboxes'
    // wire names. The first poll only records what it saw and returns nothing.
    std::vector<std::string> update(const std::vector<response>& untagged, bool complete);
    // False until the first update().
    [[nodiscard]] bool has_baseline() const noexcept { return !first_; }

private:
    std::map<std::string, std::vector<std::pair<std::string, std::uint64_t>>> known_;
    bool first_ = true;
};

} // namespace postfach::imap
