#pragma once
// An account's Maildir layout (config) as maildir/ understands it.

#include "config/config.hpp"
#include "maildir/folder_layout.hpp"

namespace postfach {

inline maildir::folder_layout account_layout(const config::account_config& account) {
    return {account.maildir, account.layout == config::layout_kind::verbatim
                                 ? maildir::layout_kind::verbatim
                                 : maildir::layout_kind::maildir_plus_plus};
}

} // namespace postfach
