#pragma once
// Base64 (RFC 4648 §4, standard alphabet, with padding) for SASL exchanges (IMAP AUTHENTICATE,
// POP3 AUTH), shared by imap/ and net/.
// Decoding is strict: a server's challenge that is not canonical base64 is a protocol error,
// not something to guess at.

#include <optional>
#include <string>
#include <string_view>

namespace postfach::util {

std::string base64_encode(std::string_view bytes);

// Returns nullopt unless text is canonical base64: length a multiple of 4, only alphabet
// characters, '=' padding only at the end (at most two), and zero unused bits before padding.
// No whitespace is skipped. The empty string decodes to the empty string.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace postfach::util
