#pragma once
// Which folders an account syncs: the config's include and exclude lists of IMAP LIST patterns
// (RFC 3501 §6.3.8: `*` matches any characters, `%` any but the hierarchy delimiter '/'),
// matched against UTF-8 names; "INBOX" matches case-insensitively. Virtual folders (SPECIAL-USE
// \All and \Flagged, e.g. Gmail's "All Mail") are never synced: their messages are already in
// other folders, and mirroring them would store every message twice (RFC 6154 §2).

#include "sync/account_pass.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace postfach::sync {

// True when `name` matches the LIST pattern.
bool matches_list_pattern(std::string_view pattern, std::string_view name);

folder_selector make_folder_selector(std::vector<std::string> include,
                                     std::vector<std::string> exclude);

} // namespace postfach::sync
