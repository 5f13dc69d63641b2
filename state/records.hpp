#pragma once
// Rows of the state database (schema.cpp), as plain values.

#include <cstdint>
#include <optional>
#include <string>

namespace postfach::state {

struct folder_record {
    std::int64_t id = 0;           // 0 until stored
    std::string name;              // UTF-8, '/' separated
    std::uint32_t uidvalidity = 0; // 0 = not known yet
    std::uint32_t uidnext = 0;
    std::uint64_t highestmodseq = 0; // 0 = no CONDSTORE
    std::string mailbox_id;          // RFC 8474 MAILBOXID, empty if the server has none
    std::string local_token;         // the Maildir's scan token (schema 7), empty if none
    bool operator==(const folder_record&) const = default;
};

// One synced pair: a server message and its local file, as of the last pass.
struct message_record {
    std::int64_t id = 0; // 0 until stored
    std::int64_t folder_id = 0;
    // Each side's id; one may be missing (a tombstone, or a side not written yet), not both.
    std::optional<std::uint32_t> uid;     // server UID
    std::optional<std::string> base_name; // local Maildir base name (survives flag renames)
    // Last synced flags as Maildir letters in the order D F P R S T (sync::flag_letters), e.g.
    // "FS"; letters of other flags are not stored (keywords stay on the server).
    std::string flags;
    std::uint64_t size = 0;   // bytes on disk (LF)
    std::string message_id;   // Message-ID header, empty if none
    std::string content_hash; // hex digest of the content, for pairing
    std::string identity;     // the sync engine's identity (sync/message_identity.hpp), or empty
    bool operator==(const message_record&) const = default;
};

struct pop3_uidl_record {
    std::string uidl;
    std::uint64_t size = 0;
    std::int64_t first_fetched = 0; // Unix seconds; delete_after_days counts from here
    bool operator==(const pop3_uidl_record&) const = default;
};

// A POP3 download made durable in the Maildir but maybe not yet recorded as a UIDL: written
// before the Maildir commit, removed with the UIDL's record (pop3/pop3_fetcher.cpp).
struct pop3_intent_record {
    std::string base_name; // Maildir base name of the delivery
    std::string uidl;      // the key (UIDL or header key) it is to be recorded under
    std::uint64_t size = 0;
    std::int64_t first_fetched = 0; // Unix seconds
    bool operator==(const pop3_intent_record&) const = default;
};

} // namespace postfach::state
