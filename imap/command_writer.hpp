#pragma once
// Builds IMAP client commands (RFC 3501/9051 and the extensions postfach uses) as command_parts,
// with tags A1, A2, ... Strings are written as an atom when they can be, else quoted, else as a
// literal (8-bit, CR/LF, or long); literals are non-synchronizing ({n+}) when LITERAL+ is offered,
// or LITERAL- and n <= 4096, otherwise synchronizing ({n} then wait for "+").
//
// Mailbox names are passed in wire form (see mailbox_name.hpp). Flags, fetch items and status
// items are passed as the atoms to send ("\Seen", "BODY.PEEK[]", "UIDNEXT"); they are written as
// given, so they must be valid atoms (they come from postfach, not from users).

#include "imap/command.hpp"
#include "imap/uid_set.hpp"
#include "util/secret.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postfach::imap {

enum class literal_mode {
    synchronizing, // no LITERAL+/LITERAL-: every literal waits for "+"
    literal_plus,  // RFC 7888 LITERAL+: {n+} for any size
    literal_minus, // RFC 7888 LITERAL- (and IMAP4rev2): {n+} up to 4096 octets
};

struct qresync_parameters {
    std::uint32_t uidvalidity = 0;
    std::uint64_t modseq = 0;
    std::optional<uid_set> known_uids;
};

struct select_options {
    bool condstore = false;                    // (CONDSTORE), RFC 7162 §3.1.8
    std::optional<qresync_parameters> qresync; // (QRESYNC (...)), RFC 7162 §3.2.5
};

struct list_return_options {
    bool special_use = false;              // RFC 6154
    std::vector<std::string> status_items; // RFC 5819 STATUS (MESSAGES UIDNEXT ...)
};

// One event group of RFC 5465 NOTIFY SET. The filter is written as given, so only the forms
// without mailbox names: "selected", "selected-delayed", "personal", "inboxes", "subscribed".
// Events are atoms: "MessageNew", "MessageExpunge", "FlagChange", "MailboxName", ...
struct notify_event_group {
    std::string filter;
    std::vector<std::string> events;
};

enum class store_action { add, remove, replace }; // +FLAGS, -FLAGS, FLAGS

// "text" with " and \ escaped, or nullopt if the text cannot be quoted (CR, LF, 8-bit, too long)
// and would need a literal.
std::optional<std::string> quoted_string(std::string_view text);

class command_writer {
public:
    command_writer() = default;

    void set_literal_mode(literal_mode mode) noexcept { literal_mode_ = mode; }
    [[nodiscard]] literal_mode get_literal_mode() const noexcept { return literal_mode_; }

    command capability() { return simple("CAPABILITY"); }
    command noop() { return simple("NOOP"); }
    command logout() { return simple("LOGOUT"); }
    command starttls() { return simple("STARTTLS"); }
    command idle() { return simple("IDLE"); }
    // Ends IDLE; untagged, the IDLE command's tagged OK follows.
    static command done();

    command enable(const std::vector<std::string>& capabilities);
    command login(std::string_view user, const secret_string& password);
    // initial_response: raw SASL bytes (base64-encoded here; empty is sent as "="); only when
    // the server offers SASL-IR.
    command authenticate(std::string_view mechanism,
                         const std::optional<secret_string>& initial_response = std::nullopt);
    // One SASL response line after a "+" challenge: raw bytes, base64-encoded here. Untagged.
    static command sasl_response(const secret_string& response);
    // Cancels a SASL exchange ("*"). Untagged.
    static command sasl_cancel();

    command select(std::string_view mailbox, const select_options& options = {});
    command examine(std::string_view mailbox, const select_options& options = {});
    command list(std::string_view reference, std::string_view pattern,
                 const list_return_options& options = {});
    command status(std::string_view mailbox, const std::vector<std::string>& items);
    command create(std::string_view mailbox);
    command delete_mailbox(std::string_view mailbox);
    command rename(std::string_view from, std::string_view to);
    command subscribe(std::string_view mailbox);
    command unselect() { return simple("UNSELECT"); }
    command close() { return simple("CLOSE"); }
    command expunge() { return simple("EXPUNGE"); }
    // UID SEARCH [RETURN (options)] criteria. The criteria are written as given, so strings in
    // them must be quoted by the caller (quoted_string()), e.g. HEADER Message-ID "<x@y>".
    command uid_search(std::string_view criteria,
                       const std::vector<std::string>& return_options = {});
    command id(const std::vector<std::pair<std::string, std::string>>& fields);
    // NOTIFY SET (filter (events)) ...: RFC 5465 §3.1, without STATUS (no initial flood of
    // STATUS responses; the caller runs a pass after arming anyway).
    command notify_set(const std::vector<notify_event_group>& groups);

    command uid_fetch(const uid_set& uids, const std::vector<std::string>& items,
                      std::optional<std::uint64_t> changed_since = std::nullopt,
                      bool vanished = false);
    command uid_store(const uid_set& uids, store_action action,
                      const std::vector<std::string>& flags, bool silent = true,
                      std::optional<std::uint64_t> unchanged_since = std::nullopt);
    command uid_expunge(const uid_set& uids);
    command uid_copy(const uid_set& uids, std::string_view mailbox);
    command uid_move(const uid_set& uids, std::string_view mailbox);
    // APPEND mailbox [(flags)] ["date"] {size}: the message body itself is a `body` part that the
    // caller fills with exactly `size` bytes (CRLF line endings). internal_date as in RFC 3501
    // date-time, e.g. "17-Jul-1996 02:44:25 -0700".
    command append(std::string_view mailbox, const std::vector<std::string>& flags,
                   std::optional<std::string_view> internal_date, std::uint64_t size);

private:
    std::string next_tag();
    command simple(std::string_view name);
    command select_like(std::string_view name, std::string_view mailbox,
                        const select_options& options);
    command uid_to_mailbox(std::string_view name, const uid_set& uids, std::string_view mailbox);
    command with_mailbox(std::string_view name, std::string_view mailbox);

    literal_mode literal_mode_ = literal_mode::synchronizing;
    std::uint64_t next_tag_ = 1;
};

} // namespace postfach::imap
