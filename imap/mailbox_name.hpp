#pragma once
// Mailbox names between UTF-8 (on disk, in the config) and modified UTF-7 (the IMAP4rev1 wire
// form, RFC 3501 §5.1.3). Both directions are strict: input that a correct peer cannot produce
// is an error (imap_errc::invalid_mailbox_name), never decoded into something approximate, so two
// different wire names can never map to one local folder.

#include <string>
#include <string_view>
#include <system_error>

namespace postfach::imap {

// UTF-8 -> modified UTF-7. Fails on invalid UTF-8 (overlong forms, surrogates, truncation,
// code points above U+10FFFF). On failure `out` is left empty.
std::error_code encode_mailbox_name(std::string_view utf8, std::string& out);

// Modified UTF-7 -> UTF-8. Fails on: bytes outside printable ASCII, an unterminated "&...",
// characters outside the modified base64 alphabet, leftover or non-zero padding bits, unpaired
// surrogates, printable ASCII encoded in base64, and a shift right after another ("&AMQ-&ANY-"
// must be "&AMQA1g-"). On failure `out` is left empty.
std::error_code decode_mailbox_name(std::string_view mutf7, std::string& out);

} // namespace postfach::imap
