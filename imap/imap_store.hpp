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
// \Deleted). Without UIDPLUS the new UIDs of APPEND and COPY are unknown: no_new_uid for now.
//
// Limits of this first version: write_message collects the producer's bytes in memory before
// the APPEND (the session sends an APPEND body from one buffer); scan is always the full
// `UID FETCH 1:* (FLAGS)` (no CONDSTORE/QRESYNC yet).
//
// Contract: the session is ready and outlives the store; one operation at a time (the store
// keeps the selected folder). After a connection error the session is unusable.

#include "imap/client_session.hpp"
#include "sync/store.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

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
    // UID FETCH (RFC822.SIZE BODY.PEEK[HEADER]) in batches; messages gone meanwhile keep an
    // empty identity.
    sync::task<std::error_code> identify(const std::string& folder,
                                         std::vector<sync::scanned_message*>& messages) override;
    sync::task<std::error_code> message_size(const std::string& folder, const std::string& id,
                                             std::uint64_t& size) override;
    // UID FETCH BODY.PEEK[], each read's part of the body passed on to the sink as it arrives.
    sync::task<std::error_code> read_message(const std::string& folder, const std::string& id,
                                             sync::message_sink& sink) override;
    // APPEND with the flags (and the internal date when given); the new id from APPENDUID.
    sync::task<std::error_code> write_message(const sync::new_message& message,
                                              const producer& produce,
                                              std::string& new_id) override;
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
    // Runs one command; a NO or BAD becomes command_failed with the server's text.
    sync::task<std::error_code> run(command cmd, command_result& result,
                                    const run_options& options = {});
    // SELECTs the folder unless it is selected already (or `fresh`); checks the UIDVALIDITY
    // against the one of the folder's scan.
    sync::task<std::error_code> select(const std::string& folder, bool fresh = false,
                                       bool condstore = false);
    // Leaves the selected folder without expunging (before DELETE and RENAME of it).
    sync::task<std::error_code> deselect();
    // Expunges exactly `uid`, which is \Deleted already or about to be (see the class comment).
    sync::task<std::error_code> expunge_one(std::uint32_t uid);
    // Drops what the store knows of a folder and its sub-folders (deleted or renamed).
    void forget(const std::string& folder);
    std::error_code wire_name(const std::string& folder, std::string& wire);
    std::error_code parse_id(const std::string& id, std::uint32_t& uid);
    std::error_code fail(std::error_code ec, std::string diagnostics);

    client_session& session_;
    char delimiter_ = '/';
    std::optional<std::string> selected_;
    std::uint32_t selected_exists_ = 0;
    std::optional<std::uint64_t> selected_modseq_;     // HIGHESTMODSEQ of a SELECT (CONDSTORE)
    std::map<std::string, std::uint32_t> uidvalidity_; // of each folder's last SELECT
    // The CONDSTORE fast path: each folder's last scan, and the HIGHESTMODSEQ it was made at.
    struct scanned_folder {
        std::uint32_t uidvalidity = 0;
        std::uint64_t highestmodseq = 0;
        std::map<std::uint32_t, sync::flag_bits> flags;
    };
    std::map<std::string, scanned_folder> scanned_;
    std::string diagnostics_;
};

} // namespace postfach::imap
