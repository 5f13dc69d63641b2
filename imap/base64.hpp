#pragma once
// Standard base64 (RFC 4648 §4, with padding), as IMAP AUTHENTICATE uses it for SASL data.

#include <optional>
#include <string>
#include <string_view>

namespace postfach::imap {

std::string base64_encode(std::string_view bytes);
// Strict: only the alphabet, correct padding, no whitespace. nullopt otherwise.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace postfach::imap
