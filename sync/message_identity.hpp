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

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st; // OpenSSL's EVP_MD_CTX

namespace postfach::sync {

// header_block_crlf: the header block in wire form, including the empty line that ends it.
std::string make_identity(std::uint64_t wire_size, std::string_view header_block_crlf);

// Incremental form for a message read in chunks that may use LF or CRLF line endings: feed
// bytes until header_complete() (the empty line was seen) or the message ends, then identity().
// Hashes as it goes (no copy of the header block); gives exactly make_identity's value for the
// header block in wire form.
class identity_builder {
public:
    identity_builder() = default;
    identity_builder(identity_builder&&) noexcept = default;
    identity_builder& operator=(identity_builder&&) noexcept = default;

    // Feeds message bytes; LF line endings are counted and hashed as CRLF.
    void feed(std::string_view bytes);
    [[nodiscard]] bool header_complete() const noexcept { return header_done_; }
    // The identity, given the message's wire size (see maildir::message_reader for the
    // Maildir's, RFC822.SIZE for IMAP's). Ends the hash: feed nothing more until reset().
    [[nodiscard]] std::string identity(std::uint64_t wire_size);
    // Ready for the next message, keeping the hash context (no allocation per message).
    void reset() noexcept;

private:
    struct context_deleter {
        void operator()(evp_md_ctx_st* context) const noexcept;
    };
    void hash(std::string_view bytes);

    std::unique_ptr<evp_md_ctx_st, context_deleter> context_;
    bool started_ = false;  // context_ holds this message's hash
    bool finished_ = false; // digest_ holds it
    bool header_done_ = false;
    bool after_cr_ = false;         // the current line's last byte so far is a CR
    std::uint64_t line_length_ = 0; // bytes of the current line fed so far
    std::array<unsigned char, 32> digest_{};
};

} // namespace postfach::sync
