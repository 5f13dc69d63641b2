#include "maildir/delivery.hpp"

#include "maildir/file_name.hpp"
#include "maildir/file_ops.hpp"
#include "maildir/maildir_errc.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace fs = std::filesystem;

namespace postfach::maildir {
namespace {

constexpr std::size_t write_threshold = 64 * 1024;
// Bytes that need no conversion are written from the caller's buffer when nothing is buffered
// and they are at least this many (a whole message the worker writes in one go): no copy.
constexpr std::size_t direct_write_min = 4 * 1024;

struct timespec to_timespec(std::chrono::system_clock::time_point t) {
    const auto ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    struct timespec ts {};
    ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    return ts;
}

} // namespace

// ---- delivery ------------------------------------------------------------------------------

delivery_folder::delivery_folder(fs::path folder_dir)
    : dir(std::move(folder_dir))
    , tmp_dir((dir / "tmp").native())
    , new_dir((dir / location_dir_name(location::new_dir)).native())
    , cur_dir((dir / location_dir_name(location::cur_dir)).native()) {}

delivery::delivery(delivery&& other) noexcept
    : folder_(std::move(other.folder_))
    , base_(std::move(other.base_))
    , options_(other.options_)
    , fd_(std::exchange(other.fd_, -1))
    , unnamed_(other.unnamed_)
    , state_(std::exchange(other.state_, state::empty))
    , buffer_(std::move(other.buffer_))
    , size_(other.size_)
    , converter_(other.converter_) {}

delivery& delivery::operator=(delivery&& other) noexcept {
    if (this != &other) {
        release(true);
        folder_ = std::move(other.folder_);
        base_ = std::move(other.base_);
        options_ = other.options_;
        fd_ = std::exchange(other.fd_, -1);
        unnamed_ = other.unnamed_;
        state_ = std::exchange(other.state_, state::empty);
        buffer_ = std::move(other.buffer_);
        size_ = other.size_;
        converter_ = other.converter_;
    }
    return *this;
}

delivery::~delivery() {
    release(true);
}

void delivery::release(bool remove_tmp) noexcept {
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = -1;
    if (remove_tmp && state_ != state::empty && !unnamed_) // an unnamed file went with its fd
        ::unlink(tmp_path().c_str());
    state_ = state::empty;
}

std::string delivery::tmp_path() const {
    std::string path;
    path.reserve(folder_->tmp_dir.size() + 1 + base_.size());
    path.append(folder_->tmp_dir).append("/").append(base_);
    return path;
}

std::error_code delivery::open(const fs::path& folder_dir, const delivery_options& options,
                               unique_name_generator& names, delivery& out) {
    return open(folder_dir, options, names.next(), out);
}

std::error_code delivery::open(const fs::path& folder_dir, const delivery_options& options,
                               std::string base, delivery& out) {
    return open(std::make_shared<const delivery_folder>(folder_dir), options, std::move(base), out);
}

std::error_code delivery::open(std::shared_ptr<const delivery_folder> folder,
                               const delivery_options& options, std::string base, delivery& out) {
    out = delivery();
    out.folder_ = std::move(folder);
    out.options_ = options;
    out.base_ = std::move(base);
    std::error_code ec;
    int fd = open_unnamed_file(out.folder_->tmp_dir, ec);
    if (ec)
        return ec;
    out.unnamed_ = fd >= 0;
    while (fd < 0) {
        fd = ::open(out.tmp_path().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EINTR)
            return errno == EEXIST ? std::error_code(maildir_errc::name_collision) : last_errno();
    }
    out.fd_ = fd;
    out.state_ = state::writing;
    return {};
}

std::error_code delivery::append(std::string_view bytes) {
    if (state_ != state::writing)
        return maildir_errc::bad_delivery_state;
    if (!options_.from_wire && buffer_.empty() && bytes.size() >= direct_write_min) {
        size_ += bytes.size();
        return write_all(fd_, bytes);
    }
    const std::size_t before = buffer_.size();
    if (options_.from_wire)
        converter_.feed(bytes, buffer_);
    else
        buffer_.append(bytes);
    size_ += buffer_.size() - before;
    if (buffer_.size() >= write_threshold)
        return flush();
    return {};
}

std::error_code delivery::flush() {
    auto ec = write_all(fd_, buffer_);
    buffer_.clear();
    return ec;
}

std::error_code delivery::finish() {
    if (state_ != state::writing)
        return maildir_errc::bad_delivery_state;
    if (options_.from_wire) {
        const std::size_t before = buffer_.size();
        converter_.finish(buffer_);
        size_ += buffer_.size() - before;
    }
    if (auto ec = flush())
        return ec;
    // The batch holds up to commit_every finished deliveries until its commit: their buffers'
    // capacity (up to 64 KB and a chunk each) would add up to megabytes.
    std::string().swap(buffer_);
    if (options_.internal_date) {
        const struct timespec times[2] = {{0, UTIME_OMIT}, to_timespec(*options_.internal_date)};
        if (::futimens(fd_, times) != 0)
            return last_errno();
    }
    state_ = state::finished;
    return {};
}

// ---- delivery_batch ------------------------------------------------------------------------

delivery_batch::~delivery_batch() = default; // each pending delivery removes its tmp file

std::error_code delivery_batch::add(delivery&& d) {
    if (!d.finished()) {
        delivery dropped(std::move(d)); // removes its tmp file
        return maildir_errc::bad_delivery_state;
    }
    pending_.push_back(std::move(d));
    return {};
}

void delivery_batch::absorb(delivery_batch&& other) {
    for (auto& d : other.pending_)
        pending_.push_back(std::move(d));
    other.pending_.clear();
}

namespace {

// The distinct file systems (st_dev) of the files, each with one descriptor on it; a file
// that cannot be stat'ed counts as its own file system, so the commit reports its error.
std::vector<std::pair<dev_t, int>> file_systems_of(const std::vector<int>& fds) {
    std::vector<std::pair<dev_t, int>> out;
    for (int fd : fds) {
        struct stat st {};
        const dev_t dev = ::fstat(fd, &st) == 0 ? st.st_dev : static_cast<dev_t>(-1);
        if (std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.first == dev; }) ==
            out.end())
            out.emplace_back(dev, fd);
    }
    return out;
}

} // namespace

// The files of one folder are on its file system: one descriptor per folder is enough to find
// the file systems (a stat per file was 20,000 stats for 20,000 messages).
std::vector<int> delivery_batch::one_file_per_folder(const std::vector<delivery>& batch) {
    std::vector<int> fds;
    const delivery_folder* last_folder = nullptr;
    for (const auto& d : batch) {
        if (last_folder != nullptr && (last_folder == d.folder_.get() ||
                                       last_folder->dir.native() == d.folder_->dir.native()))
            continue; // a batch holds runs of messages into the same folder
        last_folder = d.folder_.get();
        fds.push_back(d.fd_);
    }
    return fds;
}

namespace {

// Adds the directory to the list unless it is there already (a batch touches a few).
void add_once(std::vector<const std::string*>& dirs, const std::string& dir) {
    if (std::none_of(dirs.begin(), dirs.end(), [&](const std::string* d) { return *d == dir; }))
        dirs.push_back(&dir);
}

} // namespace

std::size_t delivery_batch::commit_steps() const {
    std::vector<const std::string*> dirs;
    for (const auto& d : pending_)
        add_once(dirs, d.folder_->dir_of(d.options_.flags.empty() ? location::new_dir
                                                                  : location::cur_dir));
    const std::size_t data_steps = pending_.size() >= syncfs_threshold
                                       ? file_systems_of(one_file_per_folder(pending_)).size()
                                       : pending_.size();
    return data_steps + pending_.size() + dirs.size();
}

// The order of writes, and what a crash after each step leaves on disk:
//
//  0. (before commit) open an unnamed file in tmp/ (O_TMPFILE), or where the file system has
//     none tmp/<base> with O_EXCL; write the message, set its mtime.
//     Crash: an unnamed file vanishes with the process (after a power loss, the journal's
//     orphan list frees it at mount; ext4 without a journal leaves it to fsck); a named one is
//     a complete or partial file in tmp/ only. Scans never read tmp/, so nothing is delivered;
//     remove_stale_tmp() deletes it after 36 h. The caller recorded nothing, so the next run
//     fetches the message again.
//  1. fsync(file), for every file of the batch, before any rename; for a batch of
//     syncfs_threshold files or more, syncfs() once per file system holding them instead
//     (it writes and waits for all their data and commits the journal, as the fsyncs would;
//     since Linux 5.8 it reports write-back errors of the file system like fsync does).
//     Crash: as in 0, complete files in tmp/ only.
//  2. link the unnamed file as, or rename tmp/<base> to, new/<base> (no flags) or
//     cur/<base>:2,<FLAGS>, for every file, never replacing an existing name. Both are atomic
//     and the data is already durable (step 1), so any name in new/ or cur/ holds the whole
//     message: there is never a half file there. (An unnamed file costs one directory insert
//     here and none in tmp/; a named one an insert into tmp/, then a rename.)
//     Crash: each message is either still in tmp/ (or gone, unnamed) or in new|cur (the
//     directory change may or may not have reached the disk, which is one or the other
//     again), never in both, never twice. One that made it is found by the next scan; since the
//     state does not record it yet, the engine pairs it by Message-ID + size + hash (design.md
//     §4.4) instead of fetching it again.
//  3. fsync(directory), once for each new/ or cur/ that received a file. Now the names are
//     durable. tmp/ is not fsynced: a rename is one journal transaction on journalling file
//     systems, and whatever is left in tmp/ is garbage by definition.
//  4. Return: only now are the messages reported durable; the caller records them in the
//     state database (its own transaction, after this).
//
// commit_hooks::stop_after_steps counts steps 1, 2 and 3 individually (one per file or
// directory), so a test can stop after each of them.
std::error_code delivery_batch::commit(std::vector<delivered_message>& done,
                                       const commit_hooks& hooks) {
    std::vector<delivery> batch = std::move(pending_);
    pending_.clear();
    const std::size_t n = batch.size();
    std::size_t step = 0;
    // A simulated crash: leave every file where it is, just close the descriptors.
    const auto crash_here = [&]() {
        if (!hooks.stop_after_steps || step < *hooks.stop_after_steps)
            return false;
        for (auto& d : batch)
            d.release(false);
        return true;
    };

    std::error_code first_error;
    std::vector<bool> ok(n, true);
    const auto fail = [&](std::size_t i, std::error_code ec) {
        ok[i] = false;
        if (!first_error)
            first_error = ec;
    };

    // Step 1: file data. For fsync()s, start write-back of every file first, so the file system
    // allocates and writes them together. Only a hint; fsync() or syncfs() below is what
    // guarantees durability. (The hint alone does not spare the fsync()s their journal commits:
    // measured on ext4, 3.5 ms each with or without it; hence syncfs() for big batches, which
    // writes all the files back in one go and needs no hint: one system call less per file.)
    const bool whole_file_system = n >= syncfs_threshold;
    if (!whole_file_system)
        for (auto& d : batch)
            (void)::sync_file_range(d.fd_, 0, 0, SYNC_FILE_RANGE_WRITE);
    if (whole_file_system) {
        for (const auto& [dev, fd] : file_systems_of(one_file_per_folder(batch))) {
            if (crash_here())
                return maildir_errc::commit_interrupted;
            ++step;
            if (::syncfs(fd) == 0)
                continue;
            const auto ec = last_errno();
            for (std::size_t i = 0; i < n; ++i) {
                struct stat st {};
                if (::fstat(batch[i].fd_, &st) != 0 || st.st_dev == dev)
                    fail(i, ec);
            }
        }
    }
    std::vector<message_entry> entries(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (!ok[i])
            continue;
        if (!whole_file_system) {
            if (crash_here())
                return maildir_errc::commit_interrupted;
            ++step;
        }
        struct stat st {};
        if ((!whole_file_system && ::fsync(batch[i].fd_) != 0) || ::fstat(batch[i].fd_, &st) != 0) {
            fail(i, last_errno());
            continue;
        }
        auto& e = entries[i];
        const auto& options = batch[i].options_;
        e.base = batch[i].base_;
        e.flags = options.flags;
        e.where = options.flags.empty() ? location::new_dir : location::cur_dir;
        file_name name;
        name.base = e.base;
        name.flags = e.flags;
        e.file_name = e.where == location::new_dir ? name.base : name.compose();
        e.size = static_cast<std::uint64_t>(st.st_size);
        e.inode = st.st_ino;
        e.mtime = std::chrono::system_clock::time_point(
            std::chrono::duration_cast<std::chrono::system_clock::duration>(
                std::chrono::seconds(st.st_mtim.tv_sec) +
                std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
    }

    // Step 2: directory entries. A file that fails here stays in tmp/ and is removed below.
    // The deliveries' folders (shared_ptr) outlive the commit: `batch` holds them.
    std::vector<const std::string*> touched_dirs;
    std::string target;
    for (std::size_t i = 0; i < n; ++i) {
        if (!ok[i])
            continue;
        if (crash_here())
            return maildir_errc::commit_interrupted;
        ++step;
        const std::string& dir = batch[i].folder_->dir_of(entries[i].where);
        target.assign(dir).append("/").append(entries[i].file_name);
        if (auto ec = batch[i].unnamed_ ? link_unnamed(batch[i].fd_, target)
                                        : rename_no_replace(batch[i].tmp_path(), target)) {
            fail(i, ec);
            continue;
        }
        batch[i].release(false); // linked or renamed: nothing left in tmp/
        add_once(touched_dirs, dir);
    }

    // Step 3: make the renames durable, one fsync per directory.
    std::vector<const std::string*> failed_dirs;
    for (const std::string* dir : touched_dirs) {
        if (crash_here())
            return maildir_errc::commit_interrupted;
        ++step;
        if (auto ec = fsync_directory(*dir)) {
            failed_dirs.push_back(dir);
            if (!first_error)
                first_error = ec;
        }
    }

    // Step 4: report. A message whose directory could not be synced is on disk but not known to
    // be durable: not reported, so the caller does not record it (a rescan will find it).
    for (std::size_t i = 0; i < n; ++i) {
        if (!ok[i])
            continue; // its delivery's destructor removes the tmp file
        const std::string& dir = batch[i].folder_->dir_of(entries[i].where);
        if (std::any_of(failed_dirs.begin(), failed_dirs.end(),
                        [&](const std::string* d) { return *d == dir; }))
            continue;
        done.push_back({batch[i].folder_->dir, std::move(entries[i])});
    }
    return first_error;
}

} // namespace postfach::maildir
