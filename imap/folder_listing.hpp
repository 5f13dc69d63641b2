#pragma once
// The folders of an account with their message counts, for `postfach check` and the sync
// engine's folder list: one LIST with RETURN (SPECIAL-USE STATUS (MESSAGES UNSEEN)) when the
// server offers LIST-STATUS (RFC 5819), else LIST and then STATUS for each selectable folder.

#include "imap/client_session.hpp"

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace postfach::imap {

struct folder_info {
    std::string name;                    // UTF-8
    std::string wire_name;               // as the server names it (modified UTF-7)
    std::vector<std::string> attributes; // as sent: "\HasNoChildren", "\Sent", ...
    std::optional<char> delimiter;
    bool selectable = true; // neither \Noselect nor \NonExistent
    std::optional<std::uint64_t> messages;
    std::optional<std::uint64_t> unseen;
};

// The session must be ready. A refused LIST fails (imap_errc::command_failed, the server's
// words in diagnostics); a refused STATUS leaves that folder's counts empty.
boost::asio::awaitable<std::error_code>
list_folders(client_session& session, std::vector<folder_info>& folders, std::string& diagnostics);

} // namespace postfach::imap
