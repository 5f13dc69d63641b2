#pragma once
// Server text is untrusted: it goes into diagnostics only quoted, shortened and with control
// and non-ASCII bytes escaped, so it can neither forge log lines nor flood them.

#include <cstddef>
#include <string>
#include <string_view>

namespace postfach::util {

// "text" with ", \ and bytes outside 0x20..0x7e escaped (\", \\, \xNN); cut after max_bytes
// input bytes, marked by "..." after the closing quote.
std::string quote_server_text(std::string_view text, std::size_t max_bytes = 100);

} // namespace postfach::util
