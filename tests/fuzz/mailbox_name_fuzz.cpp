// Fuzzes modified UTF-7 both ways. Strictness means round trips are exact: whatever decodes
// encodes back to the same bytes, and whatever encodes decodes back.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "imap/mailbox_name.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace postfach::imap;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    std::string decoded;
    std::string encoded;
    if (!decode_mailbox_name(input, decoded)) {
        if (encode_mailbox_name(decoded, encoded) || encoded != input)
            std::abort();
    }
    if (!encode_mailbox_name(input, encoded)) {
        if (decode_mailbox_name(encoded, decoded) || decoded != input)
            std::abort();
    }
    return 0;
}
