#pragma once
// Delivering messages into Maildir folders with group commit (design.md §3, §4.7).
//
// Usage: open a delivery per message, append its bytes as they arrive, finish it, add it to a
// delivery_batch; commit() the batch at a commit point. Only when commit() returns is a message
// durable (its data and its directory entry on disk); only then may the caller record it as
// synced. Until then a crash loses the message cleanly (see the order in delivery.cpp).
//
//   maildir::unique_name_generator names;
//   maildir::delivery d;
//   if (auto ec = maildir::delivery::open(folder_dir, {.flags = seen}, names, d)) ...
//   d.append(chunk1); d.append(chunk2); d.finish();
//   batch.add(std::move(d));
//   ...
//   std::vector<maildir::delivered_message> done;
//   batch.commit(done);

#include "maildir/line_endings.hpp"
#include "maildir/message_entry.hpp"
#include "maildir/message_flags.hpp"
#include "maildir/unique_name.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace postfach::maildir {

struct delivery_options {
    flag_set flags;        // none: new/ (unseen); any flag: cur/ with ":2,FLAGS"
    bool from_wire = true; // input has CRLF line endings (IMAP/POP3); stored with LF
    // The file's mtime, which readers and Dovecot take as INTERNALDATE; default: now.
    std::optional<std::chrono::system_clock::time_point> internal_date;
};

// A folder's directory with its tmp/, new/ and cur/ as plain strings, made once and shared by
// the deliveries into the folder. A std::filesystem::path built per message (each one split
// into components, several allocations) cost about 3 us of CPU per message on the initial sync
// (issue 5).
struct delivery_folder {
    explicit delivery_folder(std::filesystem::path folder_dir);
    [[nodiscard]] const std::string& dir_of(location where) const noexcept {
        return where == location::new_dir ? new_dir : cur_dir;
    }
    std::filesystem::path dir;
    std::string tmp_dir; // dir/tmp
    std::string new_dir; // dir/new
    std::string cur_dir; // dir/cur
};

// One message being written into <folder>/tmp/: an unnamed file there (O_TMPFILE) where the
// file system has it, else a named one. Move-only. Destroying it before it was handed to a
// batch removes the tmp file.
class delivery {
public:
    delivery() = default;
    delivery(delivery&& other) noexcept;
    delivery& operator=(delivery&& other) noexcept;
    delivery(const delivery&) = delete;
    delivery& operator=(const delivery&) = delete;
    ~delivery();

    // Creates the message's file in <folder_dir>/tmp/ (mode 0600): unnamed, or <unique name>
    // (O_EXCL) where the file system has no O_TMPFILE.
    static std::error_code open(const std::filesystem::path& folder_dir,
                                const delivery_options& options, unique_name_generator& names,
                                delivery& out);
    // The same with a name the caller took from a unique_name_generator before (on another
    // thread than this open, which may then run on a worker).
    static std::error_code open(const std::filesystem::path& folder_dir,
                                const delivery_options& options, std::string base, delivery& out);
    // The same into a folder shared with other deliveries (no paths built per message).
    static std::error_code open(std::shared_ptr<const delivery_folder> folder,
                                const delivery_options& options, std::string base, delivery& out);

    // Appends bytes of the message (converted to LF when from_wire). Buffered; bytes that need
    // no conversion and fill a write on their own go out straight from the caller's buffer.
    std::error_code append(std::string_view bytes);

    // Ends the message: writes what is buffered, sets the mtime. The file stays open so the
    // batch can fsync it. No append after finish.
    std::error_code finish();

    [[nodiscard]] const std::string& base_name() const noexcept { return base_; }
    [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
    [[nodiscard]] bool finished() const noexcept { return state_ == state::finished; }
    // Whether the file has no name yet (O_TMPFILE): nothing of it is left after a crash.
    [[nodiscard]] bool unnamed() const noexcept { return unnamed_; }

private:
    friend class delivery_batch;
    enum class state { empty, writing, finished };

    std::error_code flush();
    [[nodiscard]] std::string tmp_path() const;
    // Closes the file; with remove_tmp also unlinks it (an abandoned delivery).
    void release(bool remove_tmp) noexcept;

    std::shared_ptr<const delivery_folder> folder_;
    std::string base_;
    delivery_options options_;
    int fd_ = -1;
    bool unnamed_ = false;
    state state_ = state::empty;
    std::string buffer_;
    std::uint64_t size_ = 0;
    crlf_to_lf converter_;
};

struct delivered_message {
    std::filesystem::path folder_dir;
    message_entry entry; // as a scan would report it (inode, size, name, flags, location)
};

// Test hook: a simulated crash. The commit stops after this many steps and returns
// maildir_errc::commit_interrupted, leaving the disk exactly as a crash at that instant would
// (no cleanup at all). Steps are counted in the order written in delivery.cpp.
struct commit_hooks {
    std::optional<std::size_t> stop_after_steps;
};

// A group of finished deliveries made durable together. Not thread-safe; one per account.
class delivery_batch {
public:
    delivery_batch() = default;
    delivery_batch(delivery_batch&&) noexcept = default;
    delivery_batch& operator=(delivery_batch&&) noexcept = default;
    ~delivery_batch();

    // Takes a finished delivery; an unfinished one gives bad_delivery_state and is dropped.
    std::error_code add(delivery&& d);
    // Takes every delivery of `other` (after its own), which is empty afterwards.
    void absorb(delivery_batch&& other);

    [[nodiscard]] std::size_t size() const noexcept { return pending_.size(); }
    [[nodiscard]] bool empty() const noexcept { return pending_.empty(); }

    // Makes every message durable, then appends each to `done` (in the order added) and
    // returns no error. On an error, `done` holds the messages that are nevertheless durable
    // (the caller may record those), the others are removed from tmp/, and the first error is
    // returned. The batch is empty afterwards, whatever happened.
    std::error_code commit(std::vector<delivered_message>& done, const commit_hooks& hooks = {});

    // Number of steps a commit of the current batch takes (for crash tests).
    [[nodiscard]] std::size_t commit_steps() const;

    // From this many files on, a commit makes their data durable with one syncfs() per file
    // system instead of one fsync() per file: each fsync() is a journal commit of its own
    // (about 3.5 ms on the reference VM), syncfs() one for the whole batch. Below it, fsync()
    // is cheaper than flushing whatever else is dirty on the file system.
    static constexpr std::size_t syncfs_threshold = 8;

private:
    static std::vector<int> one_file_per_folder(const std::vector<delivery>& batch);

    std::vector<delivery> pending_;
};

} // namespace postfach::maildir
