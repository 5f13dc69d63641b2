// Fuzzes modified UTF-7 (RFC 3501 §5.1.3) both ways. Strictness means round trips are exact:
// whatever decodes encodes back to the same bytes, and whatever encodes (valid UTF-8) becomes
// printable ASCII that decodes back.

#include "imap/mailbox_name.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

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
        // The wire form is printable ASCII only, and decodes back to the input.
        for (const char c : encoded)
            if (c < 0x20 || c > 0x7e)
                std::abort();
        if (decode_mailbox_name(encoded, decoded) || decoded != input)
            std::abort();
    }
    return 0;
}
