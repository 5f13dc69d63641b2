#pragma once
// A Maildir message file name: "<base>[:2,<letters>[,<rest>]]".
//
// The base name (everything before the first ':') is the message's identity across renames;
// readers must not parse it, and neither do we (any base name without '/' and not starting with
// '.' is adopted). The info part carries the standard flags (message_flags.hpp) plus letters we
// do not interpret (Dovecot keywords a-z, unknown letters) and anything after a second ','; both
// are kept untouched when flags change. An info part that is not "2,..." (e.g. the experimental
// ":1,") is kept until flags are set, then replaced by ":2,".

#include "maildir/message_flags.hpp"

#include <string>
#include <string_view>

namespace postfach::maildir {

struct file_name {
    std::string base;          // before the first ':'
    flag_set flags;            // standard flags found in the info letters
    std::string other_letters; // info letters that are not standard flags, in their order
    std::string rest;          // after the ',' that ends the letters, without that ','
    bool has_rest = false;     // a ',' ended the letters (even if rest is empty)
    std::string foreign_info;  // a non-"2," info part, verbatim without ':'; empty otherwise
    bool has_info = false;     // the name had a ':' at all

    // Parses any file name; never fails (a name without ':' has no flags).
    static file_name parse(std::string_view name);

    // The file name for cur/: base + ":2," + all letters sorted ASCII + ("," rest).
    [[nodiscard]] std::string compose() const;

    // The file name as it would be in new/: the base alone, unless the name carried info we must
    // keep (non-flag letters, rest or a foreign info part).
    [[nodiscard]] std::string compose_for_new() const;
};

// True if a directory entry may be a message: not empty, no '/', not starting with '.'.
bool is_message_file_name(std::string_view name) noexcept;

} // namespace postfach::maildir
