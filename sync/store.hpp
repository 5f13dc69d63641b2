#pragma once
// The abstract store the engine syncs between (design.md §5; isync's driver.h). The IMAP
// account and the Maildir each implement it; the engine never learns which is which beyond the
// side it plays. Folder names are UTF-8 with '/' between levels; message ids are opaque
// strings chosen by the store (a UID, a Maildir base name).
//
// Contracts for implementations:
//  - Operations are coroutines on the process's one event loop; a returned error_code is the
//    operation's only failure channel. Server or file-system text goes into the error's
//    message through the store's own diagnostics, never into control flow.
//  - Bytes of messages travel in wire form (CRLF line endings) through message_sink; a store
//    that keeps another form (Maildir: LF) converts on the way in and out.
//  - write_message and move_message report the new id at once, but the change counts as synced
//    only after the next successful commit(): the engine records nothing about it before then.
//    A store whose writes are durable when acknowledged (IMAP APPEND with APPENDUID) may make
//    commit() a no-op.

#include "sync/plan.hpp"

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace postfach::sync {

template <typename T>
using task = boost::asio::awaitable<T>;

struct folder_info {
    std::string name;
    std::string special_use; // e.g. "\\Sent", "\\All"; empty when none
};

struct folder_scan {
    std::vector<scanned_message> messages;
    std::string epoch;
};

// Receives one message's bytes in order, in chunks; no second copy of a message is kept.
class message_sink {
public:
    virtual ~message_sink() = default;
    virtual task<std::error_code> write(std::string_view chunk) = 0;
};

struct new_message {
    std::string folder;
    flag_bits flags = 0;
    std::uint64_t size = 0;         // wire size (CRLF), known before the first byte
    std::int64_t internal_date = 0; // seconds since the epoch; 0 = now
};

class store {
public:
    virtual ~store() = default;

    virtual task<std::error_code> list_folders(std::vector<folder_info>& folders) = 0;
    virtual task<std::error_code> create_folder(const std::string& folder) = 0;
    // Deletes an empty folder (the engine empties it first, message by message).
    virtual task<std::error_code> delete_folder(const std::string& folder) = 0;
    // Renames a folder with its messages; message ids stay valid.
    virtual task<std::error_code> rename_folder(const std::string& from, const std::string& to) = 0;

    // Every message of a folder with its id and flags; identities may be left empty. The epoch
    // names the generation of the ids (IMAP: UIDVALIDITY; a Maildir: always ""): when it
    // changes, every id the state remembers for this side is void.
    virtual task<std::error_code> scan(const std::string& folder, folder_scan& scan) = 0;
    // Fills in the identity of the given messages of a folder (only those the engine cannot
    // pair from its state, so a pass over known mail reads no message content).
    virtual task<std::error_code> identify(const std::string& folder,
                                           std::vector<scanned_message*>& messages) = 0;

    virtual task<std::error_code> message_size(const std::string& folder, const std::string& id,
                                               std::uint64_t& size) = 0;
    virtual task<std::error_code> read_message(const std::string& folder, const std::string& id,
                                               message_sink& sink) = 0;
    // Writes a new message whose bytes `produce` pushes into the given sink.
    using producer = std::function<task<std::error_code>(message_sink&)>;
    virtual task<std::error_code> write_message(const new_message& message, const producer& produce,
                                                std::string& new_id) = 0;

    virtual task<std::error_code> set_flags(const std::string& folder, const std::string& id,
                                            flag_bits add, flag_bits remove) = 0;
    virtual task<std::error_code> remove_message(const std::string& folder,
                                                 const std::string& id) = 0;
    virtual task<std::error_code> move_message(const std::string& from_folder,
                                               const std::string& id, const std::string& to_folder,
                                               std::string& new_id) = 0;

    // Makes every change since the last commit durable, together (group commit).
    virtual task<std::error_code> commit() = 0;
};

} // namespace postfach::sync
