#pragma once
// The identity by which the engine recognises one message on both sides without transferring
// it (design.md §4.3, 4.4, 4.8): its wire size (CRLF line endings, as IMAP's RFC822.SIZE
// counts) and a SHA-256 of its header block in wire form (everything up to and including the
// first empty line, i.e. what IMAP's BODY.PEEK[HEADER] returns). The header block holds the
// Message-ID, the Date, the Received chain: two different messages practically never share it
// together with the size, and it works for messages without a Message-ID too.
//
// Every store computes identities with these functions only, so they compare equal across
// stores: the Maildir from its file (LF on disk, converted), IMAP from a FETCH.

#include <cstdint>
#include <string>
#include <string_view>

namespace postfach::sync {

// header_block_crlf: the header block in wire form, including the empty line that ends it.
std::string make_identity(std::uint64_t wire_size, std::string_view header_block_crlf);

// Incremental form for a message read in chunks that may use LF or CRLF line endings: feed
// bytes until done() is true (the empty line was seen) or the message ends, then identity().
class identity_builder {
public:
    // Feeds message bytes; LF line endings are counted and hashed as CRLF.
    void feed(std::string_view bytes);
    [[nodiscard]] bool header_complete() const noexcept { return header_done_; }
    // The identity, given the message's wire size (see maildir::message_reader for the
    // Maildir's, RFC822.SIZE for IMAP's).
    [[nodiscard]] std::string identity(std::uint64_t wire_size) const;

private:
    std::string header_; // in CRLF form
    bool header_done_ = false;
    bool after_cr_ = false;
};

} // namespace postfach::sync
