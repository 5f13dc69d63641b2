#pragma once
// The little JSON that postfach writes (`status --json`): strings quoted per RFC 8259. Input
// is UTF-8 and passed through; control characters, '"' and '\' are escaped.

#include <string>
#include <string_view>

namespace postfach::util {

// `text` as a JSON string literal, quotes included.
std::string json_quote(std::string_view text);

} // namespace postfach::util
