#include "sync/message_identity.hpp"

#include <array>
#include <cstring>
#include <openssl/evp.h>

namespace postfach::sync {
namespace {

// Fetched once: OpenSSL 3 looks the algorithm up in its provider tables on every EVP_Digest
// given EVP_sha256() (a lock and a hash lookup per message on the initial sync's hot path).
const EVP_MD* sha256() {
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md != nullptr ? md : EVP_sha256();
}

} // namespace

std::string make_identity(std::uint64_t wire_size, std::string_view header_block_crlf) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_Digest(header_block_crlf.data(), header_block_crlf.size(), digest.data(), &length, sha256(),
               nullptr);
    static constexpr char hex_digits[] = "0123456789abcdef";
    std::string out = std::to_string(wire_size);
    out.reserve(out.size() + 1 + length * 2);
    out.push_back(':');
    for (unsigned int i = 0; i < length; ++i) {
        out.push_back(hex_digits[digest[i] >> 4]);
        out.push_back(hex_digits[digest[i] & 0xf]);
    }
    return out;
}

void identity_builder::feed(std::string_view bytes) {
    // Whole lines at a time (memchr), not byte by byte: this sees the start of every message
    // fetched.
    while (!header_done_ && !bytes.empty()) {
        const auto lf = bytes.find('\n');
        if (lf == std::string_view::npos) {
            header_.append(bytes);
            after_cr_ = bytes.back() == '\r';
            return;
        }
        const std::string_view line = bytes.substr(0, lf); // without its LF
        header_.append(line);
        const bool cr_before = line.empty() ? after_cr_ : line.back() == '\r';
        if (!cr_before)
            header_.push_back('\r');
        header_.push_back('\n');
        // The header ends at an empty line: "\r\n\r\n" at the end, or the message starts
        // with an empty line.
        if (header_.size() == 2 || header_.ends_with("\r\n\r\n"))
            header_done_ = true;
        after_cr_ = false;
        bytes.remove_prefix(lf + 1);
    }
}

std::string identity_builder::identity(std::uint64_t wire_size) const {
    return make_identity(wire_size, header_);
}

} // namespace postfach::sync
