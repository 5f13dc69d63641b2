#pragma once
// The remote side of a sync: sync::store over one ready IMAP session (design.md §4, issue 5).
//
//   folders:  UTF-8 names with '/' between levels; on the wire modified UTF-7 with the server's
//             hierarchy delimiter (learned from LIST); SPECIAL-USE attributes when offered.
//   ids:      UIDs as decimal strings, valid for the epoch of their folder's scan;
//   epoch:    the folder's UIDVALIDITY as a decimal string (what sqlite_sync_state expects);
//   flags:    sync::flag_bits in Maildir letter order: \Draft \Flagged $Forwarded \Answered
//             \Seen \Deleted. Keywords are never touched; \Recent is ignored.
//   identity: sync::make_identity(RFC822.SIZE, BODY.PEEK[HEADER]).
//
// Every change is acknowledged by the server before the operation returns, so commit() has
// nothing to do. A refused command (NO, BAD) becomes imap_errc::command_failed with the server's
// words quoted in diagnostics(). An operation on a folder whose UIDVALIDITY changed since its
// scan fails (uidvalidity_changed) instead of acting on the wrong messages. Removal expunges only
// our own UID (UID EXPUNGE under UIDPLUS; without it EXPUNGE only when no other message is
// \Deleted). Without UIDPLUS (no APPENDUID, COPYUID) the new UID of APPEND, COPY and MOVE is
// found by UID SEARCH HEADER Message-ID and the size; no_new_uid when the message has no
// Message-ID or is not found.
//
// Scans carry RFC822.SIZE and INTERNALDATE, so batch reads know sizes and dates without asking.
//
// Contract: the session is ready and outlives the store; one operation at a time (the store
// keeps the selected folder). After a connection error the session is unusable.

#include "imap/client_session.hpp"
#include "sync/store.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace postfach::imap {

// The IMAP flag of each sync::flag_bits bit, and back (nullopt for keywords and \Recent).
const char* flag_name(unsigned bit) noexcept;
std::optional<unsigned> flag_bit(std::string_view flag) noexcept;
sync::flag_bits flags_to_bits(const std::vector<std::string>& flags) noexcept;

class imap_store final : public sync::store {
public:
    explicit imap_store(client_session& session);

    // The server's words (quoted) or the store's reason for the last failed operation.
    [[nodiscard]] const std::string& diagnostics() const noexcept { return diagnostics_; }

    // LIST "" "*" RETURN (SPECIAL-USE), the first time pipelined with ENABLE QRESYNC. Where
    // the server offers LIST-STATUS (RFC 5819) and QRESYNC, RETURN (... STATUS (UIDVALIDITY
    // HIGHESTMODSEQ)) too: each folder's state at the listing, for unchanged_since.
    sync::task<std::error_code> list_folders(std::vector<sync::folder_info>& folders) override;
    sync::task<std::error_code> create_folder(const std::string& folder) override;
    sync::task<std::error_code> delete_folder(const std::string& folder) override;
    sync::task<std::error_code> rename_folder(const std::string& from,
                                              const std::string& to) override;
    // SELECT (always afresh: the epoch is the UIDVALIDITY of that SELECT), UID FETCH 1:* (FLAGS).
    // With CONDSTORE, a later scan of the same folder by this store starts from the last one:
    // SELECT (CONDSTORE); nothing more when HIGHESTMODSEQ and the count are unchanged, else
    // UID FETCH 1:* (FLAGS) (CHANGEDSINCE m), and UID SEARCH ALL only when messages went.
    sync::task<std::error_code> scan(const std::string& folder, sync::folder_scan& scan) override;
    // As scan, from the base of an earlier run (its UIDVALIDITY as epoch, HIGHESTMODSEQ as
    // token) when this store has not scanned the folder yet. With QRESYNC (enabled before the
    // first scan): SELECT (QRESYNC (uidvalidity modseq)), whose VANISHED (EARLIER) and FETCH
    // responses are the changes, so nothing more is asked; with CONDSTORE only: CHANGEDSINCE,
    // and UID SEARCH ALL when the count says messages went (or came unreported). The token of
    // a scan is the HIGHESTMODSEQ of its SELECT.
    // The scans expected next go out early where nothing in them waits for an answer: a full
    // scan's SELECT and UID FETCH 1:*, or a QRESYNC SELECT. Behind a batch read's last UID
    // FETCH (no round trip at a folder's end), and behind the SELECT of a scan that needs no
    // more commands (the server answers the next folders while this one is planned). Each
    // scan() or scan_since() in the expected order takes its answers; anything else first
    // reads them all. At most 4 such commands are out at a time.
    void expect_scans(std::vector<sync::expected_scan> scans) override;
    sync::task<std::error_code> scan_since(const std::string& folder, const sync::scan_base& base,
                                           sync::folder_scan& scan) override;
    // With QRESYNC only (a QRESYNC server gives expunges a mod-sequence too, RFC 7162):
    // unchanged when UIDVALIDITY and HIGHESTMODSEQ are those of the token, as the last
    // list_folders reported them (no command), else as one SELECT does. A change after the
    // listing is seen by the next pass's listing.
    sync::task<std::error_code> unchanged_since(const std::string& folder, const std::string& epoch,
                                                const std::string& token, bool& unchanged) override;
    // UID FETCH (RFC822.SIZE BODY.PEEK[HEADER]) in batches; messages gone meanwhile keep an
    // empty identity.
    sync::task<std::error_code> identify(const std::string& folder,
                                         std::vector<sync::scanned_message*>& messages) override;
    sync::task<std::error_code> message_size(const std::string& folder, const std::string& id,
                                             std::uint64_t& size) override;
    // UID FETCH BODY.PEEK[], each read's part of the body passed on to the sink as it arrives.
    sync::task<std::error_code> read_message(const std::string& folder, const std::string& id,
                                             sync::message_sink& sink) override;
    // UID FETCH (UID BODY.PEEK[]) of many UIDs per command (at most 256 messages and 8 MB, or
    // one bigger message), up to 4 commands and 16 MB in flight (one command always), each body
    // passed on as each read brings it
    // (memory: one read, whatever the message size). Sizes and dates come from the scan, else
    // from one UID FETCH (RFC822.SIZE INTERNALDATE) first. A UID the server has no more is
    // skipped. A receiver's error stops passing on, the commands in flight are read to their
    // end (the session stays usable), and the read returns that error.
    sync::task<std::error_code> read_messages(const std::string& folder,
                                              const std::vector<std::string>& ids,
                                              sync::message_receiver& receiver) override;
    // APPEND with the flags (and the internal date when given), its literal sent as the bytes
    // are written (LITERAL+, else after the server's "+"); the new id from APPENDUID. A writer
    // dropped unfinished, or given the wrong number of bytes, closes the connection (a literal
    // cannot be taken back). Until finish(), the session is busy with the APPEND.
    sync::task<std::error_code>
    begin_message(const sync::new_message& message,
                  std::unique_ptr<sync::message_writer>& writer) override;
    sync::task<std::error_code> set_flags(const std::string& folder, const std::string& id,
                                          sync::flag_bits add, sync::flag_bits remove) override;
    sync::task<std::error_code> remove_message(const std::string& folder,
                                               const std::string& id) override;
    // UID MOVE under MOVE, else UID COPY + \Deleted + expunge of the source; the new id from
    // COPYUID.
    sync::task<std::error_code> move_message(const std::string& from_folder, const std::string& id,
                                             const std::string& to_folder,
                                             std::string& new_id) override;
    sync::task<std::error_code> commit() override;

private:
    class body_reader;
    class append_writer;

    // The UIDs of one UID FETCH of bodies, and the bytes they come to (their RFC822.SIZE).
    struct body_batch {
        uid_set uids;
        std::uint64_t bytes = 0;
    };
    // Runs the UID FETCH commands of bodies: up to `depth` of them in flight, and no more
    // bytes than body_pipeline_bytes unless one command alone.
    sync::task<std::error_code> fetch_bodies(const std::string& folder,
                                             const std::vector<body_batch>& batches,
                                             std::size_t depth, body_reader& reader);
    // Without UIDPLUS: the UID of a message just stored in `folder`, by UID SEARCH HEADER
    // Message-ID and the size (the highest such UID); no_new_uid when none is found.
    sync::task<std::error_code> find_new_uid(std::string folder, std::string message_id,
                                             std::uint64_t size, std::uint32_t& uid);
    // The Message-ID ("" if none) and size of a message of the selected folder.
    sync::task<std::error_code> message_id_of(std::uint32_t uid, std::string& message_id,
                                              std::uint64_t& size);
    // Runs one command; a NO or BAD becomes command_failed with the server's text.
    sync::task<std::error_code> run(command cmd, command_result& result,
                                    const run_options& options = {});
    // The error of a command `name` that ended with `ec` and `result` (see run).
    std::error_code outcome(std::error_code ec, const std::string& name,
                            const command_result& result);
    // Records what an ENABLE's responses say was enabled.
    void note_enabled(const std::vector<response>& untagged);
    // The UTF-8 folder name of a wire name ("/" between levels, INBOX spelt so).
    std::error_code folder_name(const std::string& wire, std::string& name);
    // SELECTs the folder unless it is selected already (or `fresh`); checks the UIDVALIDITY
    // against the one of the folder's scan.
    // The SELECT's responses go to `result` when given.
    sync::task<std::error_code> select(const std::string& folder, bool fresh = false,
                                       select_options options = {},
                                       command_result* result = nullptr);
    // What select() does with the SELECT's answer in r.
    std::error_code take_selected(const std::string& folder, bool fresh,
                                  const select_options& options, const command_result& r);
    // A scan's SELECT (and a full scan's UID FETCH 1:*) sent, answers not read yet.
    struct sent_scan {
        std::string folder;
        select_options options;
        std::string select_tag;
        std::string fetch_tag; // empty: none (a QRESYNC SELECT), or it could not be queued
        std::optional<std::uint64_t> changed_since; // of the UID FETCH 1:* (CONDSTORE only)
    };
    // Sends a scan's commands and queues them in sent_scans_: its SELECT, and with `with_fetch`
    // a UID FETCH 1:* of every message, or of those changed since `changed_since`.
    std::error_code send_scan(const std::string& folder, const select_options& options,
                              bool with_fetch, std::optional<std::uint64_t> changed_since = {});
    // Where a scan of `folder` starts: this session's last scan of it, else the base of the
    // epoch and token given (none: a full scan).
    [[nodiscard]] std::optional<qresync_parameters>
    scan_origin(const std::string& folder, std::string_view epoch, std::string_view token) const;
    // The SELECT options of a scan from `origin`.
    [[nodiscard]] select_options
    scan_options(const std::optional<qresync_parameters>& origin) const;
    // The server reports mod-sequences (CONDSTORE, or QRESYNC enabled).
    [[nodiscard]] bool condstore_enabled() const;
    // send_scan for a scan from `origin`, with what follows its SELECT whenever that does not
    // depend on the SELECT's answer.
    std::error_code send_scan_of(const std::string& folder,
                                 const std::optional<qresync_parameters>& origin);
    // How many commands send_scan_of sends for a scan from `origin`.
    [[nodiscard]] std::size_t scan_commands(const std::optional<qresync_parameters>& origin) const;
    // Sends the expected scans, in order, while few enough commands are out (after ENABLE).
    void send_early_scans();
    // Reads the answers of every sent scan no scan() took (anything else comes first): after
    // it no folder is known to be selected.
    sync::task<std::error_code> read_scans_sent_ahead();
    // ENABLE QRESYNC when offered (once, before the first scan).
    sync::task<std::error_code> enable_qresync();
    // scan and scan_since: from this store's last scan of the folder, else from `base`.
    sync::task<std::error_code> scan_from(const std::string& folder, const sync::scan_base* base,
                                          sync::folder_scan& scan);
    // scan_from once more, after reading the answers of every scan sent early: a scan that
    // needs one more command needs its folder selected, which the next SELECTs undid.
    sync::task<std::error_code> scan_alone(const std::string& folder, const sync::scan_base* base,
                                           sync::folder_scan& scan);
    // Leaves the selected folder without expunging (before DELETE and RENAME of it).
    sync::task<std::error_code> deselect();
    // Expunges exactly `uid`, which is \Deleted already or about to be (see the class comment).
    sync::task<std::error_code> expunge_one(std::uint32_t uid);
    // Drops what the store knows of a folder and its sub-folders (deleted or renamed).
    void forget(const std::string& folder);
    // Keeps RFC822.SIZE and INTERNALDATE of the FETCH responses in r (folder selected).
    void learn_meta(const std::string& folder, const command_result& r);
    std::error_code wire_name(const std::string& folder, std::string& wire);
    std::error_code parse_id(const std::string& id, std::uint32_t& uid);
    std::error_code fail(std::error_code ec, std::string diagnostics);

    client_session& session_;
    char delimiter_ = '/';
    std::optional<std::string> selected_;
    bool qresync_tried_ = false;
    bool qresync_ = false; // the server said ENABLED QRESYNC
    std::uint32_t selected_exists_ = 0;
    std::optional<std::uint64_t> selected_modseq_;     // HIGHESTMODSEQ of a SELECT (CONDSTORE)
    std::map<std::string, std::uint32_t> uidvalidity_; // of each folder's last SELECT
    // Each folder's UIDVALIDITY and HIGHESTMODSEQ at the last listing (LIST-STATUS under
    // QRESYNC). A folder this store changes, creates, deletes or renames is dropped: the
    // listing no longer tells its state.
    struct listed_status {
        std::uint32_t uidvalidity = 0;
        std::uint64_t highestmodseq = 0;
    };
    std::map<std::string, listed_status> listed_;
    // The CONDSTORE fast path: each folder's last scan, and the HIGHESTMODSEQ it was made at.
    struct scanned_folder {
        std::uint32_t uidvalidity = 0;
        std::uint64_t highestmodseq = 0;
        // UID and flags, sorted by UID: kept for every folder of a pass, so no tree nodes.
        std::vector<std::pair<std::uint32_t, sync::flag_bits>> flags;
    };
    std::map<std::string, scanned_folder> scanned_;
    // Size and internal date of the messages of each folder, from any FETCH that had them
    // (scans carry them), so a batch read needs no round trip for them.
    struct message_meta {
        std::uint64_t size = 0;
        std::int64_t internal_date = 0;
    };
    std::map<std::string, std::unordered_map<std::uint32_t, message_meta>> meta_;
    std::string diagnostics_;
    std::deque<sync::expected_scan> expected_; // expect_scans()'s, not sent yet
    std::deque<sent_scan> sent_scans_;         // in the order sent
};

} // namespace postfach::imap
