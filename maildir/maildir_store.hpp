#pragma once
// The local side of a sync: sync::store over the Maildir library (design.md §3, §4.7).
//
//   folders:  UTF-8 names with '/', mapped to directories by the account's folder_layout;
//   ids:      Maildir base names (stable across flag renames and moves between folders);
//   epoch:    always "" (base names never get renumbered);
//   flags:    sync::flag_bits are maildir::flag_set::bits() (the same D F P R S T order).
//
// Durability (the group commit of account_pass.hpp): write_message delivers into tmp/ and only
// commit() moves the batch into new/ or cur/ (delivery_batch). Flag renames, moves and removals
// happen at once on disk (a reader must see them), but the directories they touched are
// fsynced only at commit(), once each: until commit() returns, a crash may undo any of them,
// which the engine tolerates because it records nothing before the commit.
//
// Readers (mutt, notmuch) may rename files at any time. A scan that could not get a stable
// listing fails with maildir_errc::scan_incomplete instead of returning a partial list, so the
// engine never reads a message it missed as deleted; operations on one message follow its
// renames (maildir_folder). A flag change starts from the file's current name, so flags a
// reader set since the scan are kept (only a rename in the microseconds between that check and
// our rename could still be lost; the next pass then sees and syncs the difference).
//
// Not thread-safe: one per account, used from the account's coroutine tree. Its operations
// are coroutines for the store interface but do their (local, short) I/O synchronously, except
// commit(), whose fsyncs run on a worker thread (util::blocking_worker).

#include "maildir/delivery.hpp"
#include "maildir/folder_layout.hpp"
#include "maildir/maildir_folder.hpp"
#include "maildir/unique_name.hpp"
#include "sync/store.hpp"
#include "util/blocking_worker.hpp"

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace postfach::maildir {

// The flag_set of a sync::flag_bits value (the bit order is the same).
flag_set flags_from_bits(sync::flag_bits bits) noexcept;

class maildir_store final : public sync::store {
public:
    explicit maildir_store(folder_layout layout);

    [[nodiscard]] const folder_layout& layout() const noexcept { return layout_; }

    // Test hook: a commit stops as a crash would (see delivery_batch::commit).
    void set_commit_hooks(commit_hooks hooks) { hooks_ = hooks; }
    // Test hook: runs inside every scan (see maildir_folder::scan).
    void set_scan_hooks(scan_hooks hooks) { scan_hooks_ = std::move(hooks); }

    sync::task<std::error_code> list_folders(std::vector<sync::folder_info>& folders) override;
    sync::task<std::error_code> create_folder(const std::string& folder) override;
    // Refuses (folder_not_empty) while a scan finds messages: mail a reader delivered since the
    // engine emptied the folder is never deleted with it.
    sync::task<std::error_code> delete_folder(const std::string& folder) override;
    // Moves the sub-folders too (IMAP RENAME semantics). A folder already at `to` and gone
    // from `from` counts as renamed: the engine then renames a sub-folder its parent's rename
    // moved already, or repeats a rename a killed pass did not record.
    sync::task<std::error_code> rename_folder(const std::string& from,
                                              const std::string& to) override;

    // The token is the mtimes of new/ and cur/ read before the listing, when they were old
    // enough to vouch for it (folder_token.hpp); "" otherwise.
    sync::task<std::error_code> scan(const std::string& folder, sync::folder_scan& scan) override;
    // The base itself, without listing, when new/ and cur/ still have the token's mtimes.
    sync::task<std::error_code> scan_since(const std::string& folder, const sync::scan_base& base,
                                           sync::folder_scan& scan) override;
    sync::task<std::error_code> unchanged_since(const std::string& folder, const std::string& epoch,
                                                const std::string& token, bool& unchanged) override;
    // Every change of ours changes an mtime.
    [[nodiscard]] bool token_survives_own_changes() const override { return false; }
    // Waits out the rest of the clock's step when new/ or cur/ changed within it (at most
    // 60 ms, the sub-second case); false when that would take longer (whole-second mtimes).
    bool token_possible(const std::string& folder) override;
    // scan() with one listing (maildir_folder's scan_listing::once): its token was read before
    // the listing, so a rename during the listing leaves the next pass a token that differs.
    sync::task<std::error_code> rescan(const std::string& folder, sync::folder_scan& scan) override;
    // Reads each file's header block only (up to the empty line) and its wire size.
    sync::task<std::error_code> identify(const std::string& folder,
                                         std::vector<sync::scanned_message*>& messages) override;
    sync::task<std::error_code> message_size(const std::string& folder, const std::string& id,
                                             std::uint64_t& size) override;
    sync::task<std::error_code> read_message(const std::string& folder, const std::string& id,
                                             sync::message_sink& sink) override;
    // One message after the other, each file read once for its wire size and mtime (the
    // INTERNALDATE an upload carries) and once for its bytes.
    sync::task<std::error_code> read_messages(const std::string& folder,
                                              const std::vector<std::string>& ids,
                                              sync::message_receiver& receiver) override;
    // A delivery into tmp/, written as the bytes come (never the whole message in memory), with
    // the internal date as its mtime. The new id is the delivery's base name; the file reaches
    // new/ or cur/ at commit().
    sync::task<std::error_code>
    begin_message(const sync::new_message& message,
                  std::unique_ptr<sync::message_writer>& writer) override;
    sync::task<std::error_code> set_flags(const std::string& folder, const std::string& id,
                                          sync::flag_bits add, sync::flag_bits remove) override;
    // Tries the file name the scan's flags give before listing an uncached folder.
    sync::task<std::error_code> set_flags_from(const std::string& folder, const std::string& id,
                                               sync::flag_bits scanned, sync::flag_bits add,
                                               sync::flag_bits remove) override;
    sync::task<std::error_code> remove_message(const std::string& folder,
                                               const std::string& id) override;
    // A rename into the other folder: the same inode, the same base name (new_id == id).
    sync::task<std::error_code> move_message(const std::string& from_folder, const std::string& id,
                                             const std::string& to_folder,
                                             std::string& new_id) override;
    // Delivers the batch (file fsyncs, renames, directory fsyncs), then fsyncs every directory
    // touched by flag changes, moves and removals since the last commit. The blocking part runs
    // on a worker thread, so the loop goes on (the download of the next batch) meanwhile;
    // messages finished while it runs belong to the next commit.
    sync::task<std::error_code> commit() override;

private:
    class delivery_writer;

    // The folder's directory, or invalid_folder_name / folder_not_found.
    std::error_code folder_of(const std::string& folder, std::filesystem::path& dir) const;
    // `cache`: the listing becomes the folder's cache (entries_); the rescan after the engine's
    // own changes keeps none (nothing after it works on the folder in the pass).
    sync::task<std::error_code> scan_folder(std::string folder, sync::folder_scan& scan,
                                            scan_listing listing, bool cache);
    // The entry of a message: from the last scan if it saw it, else looked up on disk.
    std::error_code entry_of(const std::string& folder, const std::filesystem::path& dir,
                             const std::string& id, message_entry& out);
    std::error_code open(const std::string& folder, const std::string& id, message_reader& reader);
    void remember(const std::string& folder, const message_entry& entry);
    void forget(const std::string& folder, const std::string& id);
    void touch(const std::filesystem::path& dir, location where);
    std::error_code change_flags(const std::string& folder, const std::string& id,
                                 std::optional<sync::flag_bits> scanned, sync::flag_bits add,
                                 sync::flag_bits remove);

    folder_layout layout_;
    unique_name_generator names_;
    delivery_batch batch_;
    commit_hooks hooks_;
    scan_hooks scan_hooks_;
    // A message_entry without its base name (the key) and, when it is the usual one for its
    // flags and directory, without its file name: a scan of a large folder keeps one per file.
    struct cached_entry {
        std::string file_name; // empty: canonical_name(base, flags, where)
        location where = location::new_dir;
        flag_set flags;
        std::uint64_t size = 0;
        std::chrono::system_clock::time_point mtime;
        ino_t inode = 0;
    };
    static cached_entry to_cached(message_entry&& entry);
    // The entry of a file with the usual name for these flags (what postfach writes).
    static cached_entry usual_entry(sync::flag_bits flags);
    static message_entry from_cached(const std::string& base, const cached_entry& cached);
    void cache_entry(std::unordered_map<std::string, cached_entry>& folder_cache,
                     message_entry&& entry);
    // The cache of `folder`, emptied, and no other folder's (see entries_).
    std::unordered_map<std::string, cached_entry>& fresh_cache(const std::string& folder);
    // Base name -> entry as last seen, of one folder at a time (spares a directory listing per
    // operation): the folder scanned last, or listed for the operation before. The engine
    // scans every folder, then works through them one by one; a cache per folder would hold
    // an entry for every message of the account (peak RSS, issue 5).
    std::map<std::string, std::unordered_map<std::string, cached_entry>> entries_;
    std::set<std::filesystem::path> touched_dirs_; // to fsync at the next commit
    // The folder begin_message() delivered into last, and its directory (cleared when a
    // folder is created, renamed or deleted).
    std::pair<std::string, std::filesystem::path> delivery_folder_;
    // What the worker's jobs share, touched on the worker thread only (jobs run one at a time,
    // in order), but for queued_bytes: the deferred messages written since the last commit,
    // the first error of their writes, the bytes of those not written yet.
    struct worker_side {
        delivery_batch batch;
        std::error_code error;
        std::atomic<std::size_t> queued_bytes{0};
    };
    // A message up to this size is written by the worker, after it is complete (delivery_writer).
    static constexpr std::uint64_t deferred_max_bytes = 256 * 1024;
    // Messages complete but not written yet: past this, the loop waits for the worker
    // (peak RSS, issue 5). 1 MB since the commits no longer hold the worker up (committer_):
    // 2 MB only filled up behind them.
    static constexpr std::size_t max_queued_bytes = 1024 * 1024;
    std::shared_ptr<worker_side> worker_side_ = std::make_shared<worker_side>();
    // Deferred messages handed to the worker since the last commit (loop side): the next
    // commit has work even when batch_ is empty.
    std::size_t deferred_since_commit_ = 0;
    // Deferred writes not posted to the worker yet: posted together, one job (and one wake-up
    // of the worker thread) per few messages instead of one per message (20,000 futex calls
    // for 20,000 messages). Posted before any job that must come after them.
    std::vector<std::function<void()>> unposted_;
    std::size_t unposted_bytes_ = 0;
    static constexpr std::size_t post_every_messages = 8;
    static constexpr std::size_t post_every_bytes = 64 * 1024;
    void post_writes();
    // Two threads, declared last so that their destructors wait for their jobs before the rest
    // goes. The commits' syncfs, links and directory fsyncs run on `committer_`, so the
    // deferred writes of the next batch go on on `worker_` meanwhile (they waited behind each
    // commit, about 10 ms of fsyncs per 256 messages on the reference VM, and the loop behind
    // them once max_queued_bytes were waiting). A commit takes its batch on `worker_` first,
    // after the writes queued before it.
    util::blocking_worker committer_;
    util::blocking_worker worker_;
};

} // namespace postfach::maildir
