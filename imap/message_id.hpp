#pragma once
// The Message-ID of a message from its header block, for finding a message the server stored
// without saying its UID (no UIDPLUS: UID SEARCH HEADER Message-ID, protocol-notes §2).

#include <string>
#include <string_view>

namespace postfach::imap {

// The Message-ID field's value (folded lines joined, surrounding white space dropped), or ""
// when the header block has none. Reads up to the first empty line; CRLF or LF line endings.
std::string find_message_id(std::string_view header_block);

} // namespace postfach::imap
