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
//  - write_message (begin_message + finish) and move_message report the new id at once, but the
//    change counts as synced only after the next successful commit(): the engine records
//    nothing about it before then. A store whose writes are durable when acknowledged (IMAP
//    APPEND with APPENDUID) may make commit() a no-op.
//  - Messages travel between two different stores: a batch read of one store (read_messages)
//    feeds writers of the other (begin_message); commit() of either may be called from inside
//    the read's receiver. A store never reads into itself.
//  - The writing store's commit() may also run beside the read (the engine commits a batch while
//    the next one comes in): messages finished while it runs belong to the next commit. At most
//    one commit() of a store runs at a time. It may also run beside scans of other folders, on
//    either store (an initial sync scans the next folder while a folder's last batch commits).

#include "sync/plan.hpp"

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
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
    // Where a later scan_since may start from (IMAP: the HIGHESTMODSEQ of the SELECT); "" when
    // the store tracks no changes.
    std::string token;
};

// What the caller knows of a folder's messages on a store as of an earlier scan's token: every
// message there was then, with its flags then (or as the caller changed them since).
struct scan_base {
    std::string epoch;
    std::string token;
    std::vector<scanned_message> messages;
};

// A scan the engine is about to make (store::expect_scans): from the base of this epoch and
// token, or in full when the token is "".
struct expected_scan {
    std::string folder;
    std::string epoch;
    std::string token;
};

// Receives one message's bytes in order, in chunks; no second copy of a message is kept.
class message_sink {
public:
    virtual ~message_sink() = default;
    virtual task<std::error_code> write(std::string_view chunk) = 0;
    // The same for a chunk the caller gives away: a sink that keeps the bytes (a Maildir
    // writer collecting a small message) takes the string instead of copying it. The default
    // is write().
    virtual task<std::error_code> write_owned(std::string chunk);
};

struct new_message {
    std::string folder;
    flag_bits flags = 0;
    std::uint64_t size = 0;         // wire size (CRLF), known before the first byte
    std::int64_t internal_date = 0; // seconds since the epoch; 0 = now
};

// A new message being written: exactly new_message::size bytes, then finish(). Destroying it
// unfinished abandons the message (nothing is stored; a store that cannot take back what it
// sent, an IMAP APPEND literal under way, gives up its connection instead).
class message_writer : public message_sink {
public:
    // Ends the message and gives its id (durable after the next commit(), see above). Fails
    // when the bytes written were not exactly the announced size.
    virtual task<std::error_code> finish(std::string& new_id) = 0;
};

// A message of a batch read, known before its first byte.
struct message_header {
    std::string id;
    std::uint64_t size = 0;         // wire size (CRLF)
    std::int64_t internal_date = 0; // seconds since the epoch; 0 = unknown
};

// Takes the messages of a batch read (store::read_messages), one at a time: open(), the bytes
// into the returned sink, then close(). An error returned by open() or close() stops the read,
// which then returns that error.
class message_receiver {
public:
    virtual ~message_receiver() = default;
    // The sink for this message's bytes; it must stay valid until close().
    virtual task<std::error_code> open(const message_header& header, message_sink*& sink) = 0;
    // After the message's last byte (ec empty), or when the read of it failed (ec set, the
    // bytes passed so far are void; the read then stops with ec).
    virtual task<std::error_code> close(const message_header& header, std::error_code ec) = 0;
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
    // The same result as scan(), from what changed since `base` where the store can tell (IMAP:
    // QRESYNC or CONDSTORE), so an unchanged folder costs one round trip; a full scan when the
    // base is empty, of another epoch, or the store cannot tell. The default is scan().
    virtual task<std::error_code> scan_since(const std::string& folder, const scan_base& base,
                                             folder_scan& scan);
    // A hint: this store's next scans are probably these, in this order (scan_since from a
    // base of that epoch and token, or scan() where the token is ""), right after what it is
    // asked now (the reads being started, or the first of these scans). A store may send their
    // commands early (IMAP pipelines them, so no round trip is lost between folders); anything
    // else it is asked first waits for them. A wrong hint costs only what was sent early.
    virtual void expect_scans(std::vector<expected_scan> scans);
    // Whether the folder is exactly as it was at `token` (of `epoch`), told without listing its
    // messages (IMAP: QRESYNC's HIGHESTMODSEQ; a Maildir: the mtimes of new/ and cur/). True
    // only when certain: the engine then skips the folder without even loading its records.
    // The default can never tell.
    virtual task<std::error_code> unchanged_since(const std::string& folder,
                                                  const std::string& epoch,
                                                  const std::string& token, bool& unchanged);
    // Whether a token still vouches for the folder after this store's own changes to it (they
    // show up as changes to a later scan_since, as IMAP's mod-sequences do). A store whose
    // changes void its token (a Maildir's mtimes) returns false; the engine then scans such a
    // folder again after changing it, for a token that covers the result.
    [[nodiscard]] virtual bool token_survives_own_changes() const { return true; }
    // Whether a scan of the folder now could give a token at all: false when the store knows
    // it could not (a Maildir changed within its clock's step, maildir/folder_token.hpp); a
    // store may wait a moment first to make it possible. The engine then spares the scan
    // after its own changes that could only end without a token. The default: perhaps.
    virtual bool token_possible(const std::string& folder);
    // The scan after the engine's own changes, whose token (if any) vouches for the result once
    // the engine found it to match the records: scan() by default. A store may spare checks a
    // scan for planning needs where its token covers them (a Maildir: a file renamed during
    // the listing changes the mtimes the token holds, so one listing is enough).
    virtual task<std::error_code> rescan(const std::string& folder, folder_scan& scan);
    // Fills in the identity of the given messages of a folder (only those the engine cannot
    // pair from its state, so a pass over known mail reads no message content).
    virtual task<std::error_code> identify(const std::string& folder,
                                           std::vector<scanned_message*>& messages) = 0;

    virtual task<std::error_code> message_size(const std::string& folder, const std::string& id,
                                               std::uint64_t& size) = 0;
    virtual task<std::error_code> read_message(const std::string& folder, const std::string& id,
                                               message_sink& sink) = 0;
    // Reads the given messages of a folder into the receiver, in any order (a store batches and
    // pipelines as it can). A store that can tell a message went meanwhile (IMAP: the server
    // sends no body for its UID) skips it: the receiver never sees it and the read does not
    // fail for it. The default reads them one by one (message_size and read_message).
    virtual task<std::error_code> read_messages(const std::string& folder,
                                                const std::vector<std::string>& ids,
                                                message_receiver& receiver);
    // Starts writing a new message (see message_writer).
    virtual task<std::error_code> begin_message(const new_message& message,
                                                std::unique_ptr<message_writer>& writer) = 0;
    // Writes a new message whose bytes `produce` pushes into the given sink: begin_message,
    // produce, finish.
    using producer = std::function<task<std::error_code>(message_sink&)>;
    task<std::error_code> write_message(const new_message& message, const producer& produce,
                                        std::string& new_id);

    virtual task<std::error_code> set_flags(const std::string& folder, const std::string& id,
                                            flag_bits add, flag_bits remove) = 0;
    // set_flags() of a message a scan of this pass saw with the flags `scanned`, which a store
    // may use to find it (a Maildir: its file name) instead of listing the folder. The
    // default: set_flags().
    virtual task<std::error_code> set_flags_from(const std::string& folder, const std::string& id,
                                                 flag_bits scanned, flag_bits add,
                                                 flag_bits remove);
    virtual task<std::error_code> remove_message(const std::string& folder,
                                                 const std::string& id) = 0;
    virtual task<std::error_code> move_message(const std::string& from_folder,
                                               const std::string& id, const std::string& to_folder,
                                               std::string& new_id) = 0;

    // Makes every change since the last commit durable, together (group commit).
    virtual task<std::error_code> commit() = 0;
};

} // namespace postfach::sync
