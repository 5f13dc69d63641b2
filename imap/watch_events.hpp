#pragma once
// What the untagged data a watching connection received (during IDLE, with or without RFC 5465
// NOTIFY) says changed on the server. Sans-IO: the caller passes the responses in wire order.
//
// - STATUS (NOTIFY: messages arrived, vanished or changed flags in another mailbox, §5.2-5.3)
//   and LIST (NOTIFY MailboxName / SubscriptionChange: created, deleted, renamed, (un)subscribed,
//   §5.4-5.5) name a mailbox.
// - EXISTS, RECENT, EXPUNGE, VANISHED, FETCH concern the selected mailbox.
// - `* OK [NOTIFICATIONOVERFLOW]` (§5.8): the server stopped sending events; only NOTIFY SET
//   again (or polling) gets them back.
// Keep-alives (`* OK Still here`) and anything unknown change nothing.

#include "imap/response.hpp"

#include <string>
#include <vector>

namespace postfach::imap {

struct watch_events {
    std::vector<std::string> mailboxes; // wire names (modified UTF-7), each once, in wire order
    bool selected_changed = false;
    bool overflow = false;

    [[nodiscard]] bool any() const noexcept {
        return !mailboxes.empty() || selected_changed || overflow;
    }
};

watch_events summarize_watch_events(const std::vector<response>& untagged);

} // namespace postfach::imap
