#include "sync/message_identity.hpp"

#include <array>
#include <charconv>
#include <cstring>
#include <new>
#include <openssl/evp.h>

namespace postfach::sync {
namespace {

// Fetched once: OpenSSL 3 looks the algorithm up in its provider tables on every EVP_Digest
// given EVP_sha256() (a lock and a hash lookup per message on the initial sync's hot path).
const EVP_MD* sha256() {
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md != nullptr ? md : EVP_sha256();
}

// "<wire size>:<hex SHA-256>", formatted in place (one allocation: this runs per message).
std::string format_identity(std::uint64_t wire_size, const unsigned char* digest,
                            unsigned int length) {
    static constexpr char hex_digits[] = "0123456789abcdef";
    std::array<char, 20 + 1 + 2 * EVP_MAX_MD_SIZE> out{};
    char* end = std::to_chars(out.data(), out.data() + 20, wire_size).ptr;
    *end++ = ':';
    for (unsigned int i = 0; i < length; ++i) {
        *end++ = hex_digits[digest[i] >> 4];
        *end++ = hex_digits[digest[i] & 0xf];
    }
    return std::string(out.data(), end);
}

} // namespace

std::string make_identity(std::uint64_t wire_size, std::string_view header_block_crlf) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_Digest(header_block_crlf.data(), header_block_crlf.size(), digest.data(), &length, sha256(),
               nullptr);
    return format_identity(wire_size, digest.data(), length);
}

void identity_builder::context_deleter::operator()(EVP_MD_CTX* context) const noexcept {
    EVP_MD_CTX_free(context);
}

void identity_builder::hash(std::string_view bytes) {
    if (!started_) {
        if (!context_)
            context_.reset(EVP_MD_CTX_new());
        if (!context_ || EVP_DigestInit_ex(context_.get(), sha256(), nullptr) != 1)
            throw std::bad_alloc();
        started_ = true;
    }
    if (!bytes.empty())
        EVP_DigestUpdate(context_.get(), bytes.data(), bytes.size());
}

void identity_builder::feed(std::string_view bytes) {
    // Whole lines at a time (memchr), and one hash update for a run of CRLF lines: this sees
    // the start of every message fetched. bytes[0, hashed) are hashed, bytes[0, at) looked at.
    std::size_t hashed = 0;
    std::size_t at = 0;
    while (!header_done_ && at < bytes.size()) {
        const auto lf = bytes.find('\n', at);
        if (lf == std::string_view::npos) {
            line_length_ += bytes.size() - at;
            after_cr_ = bytes.back() == '\r';
            at = bytes.size();
            break;
        }
        const std::uint64_t length = line_length_ + (lf - at); // of the line, without its LF
        const bool cr_before = lf > at ? bytes[lf - 1] == '\r' : after_cr_;
        if (!cr_before) { // a bare LF: hashed as CRLF
            hash(bytes.substr(hashed, lf - hashed));
            hash("\r\n");
            hashed = lf + 1;
        }
        // The header ends at the first empty line ("" or a lone CR before the LF).
        header_done_ = length == 0 || (length == 1 && cr_before);
        line_length_ = 0;
        after_cr_ = false;
        at = lf + 1;
    }
    hash(bytes.substr(hashed, at - hashed));
}

std::string identity_builder::identity(std::uint64_t wire_size) {
    if (!finished_) {
        hash({}); // a message that was empty
        unsigned int length = 0;
        EVP_DigestFinal_ex(context_.get(), digest_.data(), &length);
        finished_ = true;
    }
    return format_identity(wire_size, digest_.data(), static_cast<unsigned int>(digest_.size()));
}

void identity_builder::reset() noexcept {
    started_ = false;
    finished_ = false;
    header_done_ = false;
    after_cr_ = false;
    line_length_ = 0;
}

} // namespace postfach::sync
