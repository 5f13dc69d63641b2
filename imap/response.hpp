#pragma once
// What the response parser produces: one struct per kind of server response, in one variant.
// Mailbox names are kept in wire form (modified UTF-7); see mailbox_name.hpp to decode them.
// Atoms the client compares (status words, capabilities, codes) are upper-cased where noted;
// flags and mailbox names are kept as sent.

#include "imap/uid_set.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace postfach::imap {

enum class response_code_kind {
    other, // unknown code: name and raw text kept
    alert,
    capability,
    uidvalidity,
    uidnext,
    unseen,
    highestmodseq,
    nomodseq,
    appenduid,
    copyuid,
    permanentflags,
    read_only,
    read_write,
    trycreate,
    closed,
    modified,
    uidnotsticky,
};

// resp-text-code (RFC 3501 §7.1 and extensions). Only the fields of its kind are set.
struct response_code {
    response_code_kind kind = response_code_kind::other;
    std::string name;               // upper-cased, e.g. "UIDVALIDITY"
    std::string text;               // other: everything after the name, raw
    std::vector<std::string> atoms; // capability (upper-cased), permanentflags (as sent)
    std::uint64_t number = 0;       // uidvalidity, uidnext, unseen, highestmodseq
    std::uint32_t uidvalidity = 0;  // appenduid, copyuid
    uid_set source_uids;            // copyuid
    uid_set uids;                   // appenduid, copyuid (destination), modified

    friend bool operator==(const response_code&, const response_code&) = default;
};

enum class status_word { ok, no, bad, preauth, bye };

// Tagged OK/NO/BAD, and untagged OK/NO/BAD/PREAUTH/BYE (tag empty), the greeting included.
struct status_response {
    std::string tag; // empty for untagged
    status_word status = status_word::ok;
    std::optional<response_code> code;
    std::string text;

    [[nodiscard]] bool tagged() const noexcept { return !tag.empty(); }
    friend bool operator==(const status_response&, const status_response&) = default;
};

// "+ text": the server waits for a literal or a SASL response. text is base64 during SASL.
struct continuation_response {
    std::string text;
    friend bool operator==(const continuation_response&, const continuation_response&) = default;
};

struct capability_data {
    std::vector<std::string> capabilities; // upper-cased
    friend bool operator==(const capability_data&, const capability_data&) = default;
};

struct enabled_data {
    std::vector<std::string> capabilities; // upper-cased
    friend bool operator==(const enabled_data&, const enabled_data&) = default;
};

struct flags_data {
    std::vector<std::string> flags;
    friend bool operator==(const flags_data&, const flags_data&) = default;
};

struct exists_data {
    std::uint32_t count = 0;
    friend bool operator==(const exists_data&, const exists_data&) = default;
};

struct recent_data {
    std::uint32_t count = 0;
    friend bool operator==(const recent_data&, const recent_data&) = default;
};

struct expunge_data {
    std::uint32_t seq = 0;
    friend bool operator==(const expunge_data&, const expunge_data&) = default;
};

// One BODY[section]<origin>, BINARY[...] or RFC822* item of a FETCH. Its bytes went to the
// body_sink; only the size is kept here.
struct fetch_body {
    std::string item;    // "BODY", "BINARY", "RFC822", "RFC822.HEADER", "RFC822.TEXT"
    std::string section; // between the brackets, as sent ("" for BODY[])
    std::optional<std::uint64_t> origin; // <n>
    std::uint64_t size = 0;
    bool nil = false; // the server sent NIL
    friend bool operator==(const fetch_body&, const fetch_body&) = default;
};

struct fetch_data {
    std::uint32_t seq = 0;
    std::optional<std::uint32_t> uid;
    std::optional<std::vector<std::string>> flags;
    std::optional<std::string> internal_date; // as sent, e.g. "17-Jul-1996 02:44:25 -0700"
    std::optional<std::uint64_t> rfc822_size;
    std::optional<std::uint64_t> modseq;
    std::optional<std::string> email_id;
    std::vector<fetch_body> bodies;
    friend bool operator==(const fetch_data&, const fetch_data&) = default;
};

struct list_data {
    bool lsub = false;
    std::vector<std::string> attributes; // as sent, e.g. "\HasNoChildren"
    std::optional<char> delimiter;       // nullopt: NIL (flat namespace)
    std::string mailbox;                 // wire form (modified UTF-7 unless UTF8=ACCEPT)
    friend bool operator==(const list_data&, const list_data&) = default;
};

struct status_data {
    std::string mailbox;                                      // wire form
    std::vector<std::pair<std::string, std::uint64_t>> items; // names upper-cased
    [[nodiscard]] std::optional<std::uint64_t> get(std::string_view name) const {
        for (const auto& [n, v] : items)
            if (n == name)
                return v;
        return std::nullopt;
    }
    friend bool operator==(const status_data&, const status_data&) = default;
};

// RFC 4731 ESEARCH; unknown return items are skipped.
struct esearch_data {
    std::string tag; // (TAG "A5"), empty if absent
    bool uid = false;
    std::optional<std::uint32_t> min;
    std::optional<std::uint32_t> max;
    std::optional<std::uint32_t> count;
    std::optional<uid_set> all;
    std::optional<std::uint64_t> modseq;
    friend bool operator==(const esearch_data&, const esearch_data&) = default;
};

// "* SEARCH 2 5 9 (MODSEQ 917)", for servers without ESEARCH.
struct search_data {
    std::vector<std::uint32_t> numbers; // UIDs after UID SEARCH, else sequence numbers
    std::optional<std::uint64_t> modseq;
    friend bool operator==(const search_data&, const search_data&) = default;
};

// RFC 7162 §3.2.10: VANISHED replaces EXPUNGE once QRESYNC is enabled.
struct vanished_data {
    bool earlier = false;
    uid_set uids;
    friend bool operator==(const vanished_data&, const vanished_data&) = default;
};

// An untagged response this parser does not know; it was skipped as a whole (literals too).
struct unknown_data {
    std::string name; // upper-cased keyword, e.g. "NAMESPACE" or "XYZ" of "* 3 XYZ"
    friend bool operator==(const unknown_data&, const unknown_data&) = default;
};

using response =
    std::variant<status_response, continuation_response, capability_data, enabled_data, flags_data,
                 exists_data, recent_data, expunge_data, fetch_data, list_data, status_data,
                 search_data, esearch_data, vanished_data, unknown_data>;

} // namespace postfach::imap
