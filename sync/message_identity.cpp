#include "sync/message_identity.hpp"

#include <array>
#include <fmt/format.h>
#include <openssl/evp.h>

namespace postfach::sync {

std::string make_identity(std::uint64_t wire_size, std::string_view header_block_crlf) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_Digest(header_block_crlf.data(), header_block_crlf.size(), digest.data(), &length,
               EVP_sha256(), nullptr);
    std::string hex;
    hex.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i)
        hex += fmt::format("{:02x}", digest[i]);
    return fmt::format("{}:{}", wire_size, hex);
}

void identity_builder::feed(std::string_view bytes) {
    for (const char c : bytes) {
        if (header_done_)
            return;
        if (c == '\n') {
            if (!after_cr_)
                header_.push_back('\r');
            header_.push_back('\n');
            // The header ends at an empty line: "\r\n\r\n" at the end, or the message starts
            // with an empty line.
            if (header_.size() == 2 || header_.ends_with("\r\n\r\n"))
                header_done_ = true;
        } else {
            header_.push_back(c);
        }
        after_cr_ = c == '\r';
    }
}

std::string identity_builder::identity(std::uint64_t wire_size) const {
    return make_identity(wire_size, header_);
}

} // namespace postfach::sync
