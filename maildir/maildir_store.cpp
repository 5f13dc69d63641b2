#include "maildir/maildir_store.hpp"

#include "maildir/file_name.hpp"
#include "maildir/file_ops.hpp"
#include "maildir/folder_token.hpp"
#include "maildir/maildir_errc.hpp"
#include "sync/message_identity.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <sys/stat.h>
#include <thread>
#include <utility>

namespace fs = std::filesystem;

namespace postfach::maildir {
namespace {

// How much of a file identify() reads at a time: most header blocks fit in one read.
constexpr std::size_t header_read_size = 16 * 1024;

// token_possible() waits this long at most for a folder's mtimes to settle.
constexpr std::chrono::milliseconds max_token_wait{60};

// A name guessed from the records (scan_since) for a message without flags says new/, but a
// reader may have moved it to cur/ with an empty flag list (as our own removal of its last flag
// does), and the other way round: tries the other place before listing the folder to find it.
bool found_in_other_place(const fs::path& dir, message_entry& entry) {
    if (!entry.flags.empty())
        return false;
    message_entry other = entry;
    other.where = entry.where == location::new_dir ? location::cur_dir : location::new_dir;
    file_name name;
    name.base = entry.base;
    name.flags = entry.flags;
    other.file_name = other.where == location::new_dir ? entry.base : name.compose();
    struct stat st {};
    if (::lstat(other.path(dir).c_str(), &st) != 0)
        return false;
    entry = std::move(other);
    return true;
}

} // namespace

flag_set flags_from_bits(sync::flag_bits bits) noexcept {
    flag_set out;
    for (unsigned i = 0; i <= static_cast<unsigned>(flag::deleted); ++i)
        if ((bits & (1U << i)) != 0)
            out.set(static_cast<flag>(i));
    return out;
}

maildir_store::maildir_store(folder_layout layout)
    : layout_(std::move(layout)) {}

std::error_code maildir_store::folder_of(const std::string& folder, fs::path& dir) const {
    std::error_code ec;
    dir = layout_.folder_dir(folder, ec);
    if (ec)
        return ec;
    if (!layout_.folder_exists(folder))
        return maildir_errc::folder_not_found;
    return {};
}

namespace {

// The name a message of these flags has in that directory when nothing else is in its name.
std::string canonical_name(const std::string& base, flag_set flags, location where) {
    file_name name;
    name.base = base;
    name.flags = flags;
    return where == location::new_dir ? name.compose_for_new() : name.compose();
}

} // namespace

maildir_store::cached_entry maildir_store::to_cached(message_entry&& entry) {
    cached_entry out;
    if (entry.file_name != canonical_name(entry.base, entry.flags, entry.where))
        out.file_name = std::move(entry.file_name);
    out.where = entry.where;
    out.flags = entry.flags;
    out.size = entry.size;
    out.mtime = entry.mtime;
    out.inode = entry.inode;
    return out;
}

maildir_store::cached_entry maildir_store::usual_entry(sync::flag_bits flags) {
    cached_entry out; // the canonical file name (to_cached)
    out.flags = flags_from_bits(flags);
    out.where = out.flags.empty() ? location::new_dir : location::cur_dir;
    return out;
}

message_entry maildir_store::from_cached(const std::string& base, const cached_entry& cached) {
    message_entry out;
    out.base = base;
    out.file_name = cached.file_name.empty() ? canonical_name(base, cached.flags, cached.where)
                                             : cached.file_name;
    out.where = cached.where;
    out.flags = cached.flags;
    out.size = cached.size;
    out.mtime = cached.mtime;
    out.inode = cached.inode;
    return out;
}

void maildir_store::cache_entry(std::unordered_map<std::string, cached_entry>& folder_cache,
                                message_entry&& entry) {
    std::string base = std::move(entry.base);
    folder_cache.insert_or_assign(std::move(base), to_cached(std::move(entry)));
}

std::unordered_map<std::string, maildir_store::cached_entry>&
maildir_store::fresh_cache(const std::string& folder) {
    entries_.clear();
    return entries_[folder];
}

std::error_code maildir_store::entry_of(const std::string& folder, const fs::path& dir,
                                        const std::string& id, message_entry& out) {
    auto f = entries_.find(folder);
    if (f == entries_.end()) {
        // Not the folder scanned last: list it once for all the operations on it to come. A
        // failed listing caches nothing; find() then looks each message up. One listing is
        // enough: each operation checks the file it was given and looks up a renamed one.
        scan_result found;
        if (!maildir_folder(dir).scan(found, scan_detail::names_only, nullptr,
                                      scan_listing::once)) {
            auto& cache = fresh_cache(folder);
            cache.reserve(found.messages.size());
            for (auto& entry : found.messages)
                cache_entry(cache, std::move(entry));
            f = entries_.find(folder);
        }
    }
    if (f != entries_.end())
        if (const auto m = f->second.find(id); m != f->second.end()) {
            out = from_cached(m->first, m->second);
            return {};
        }
    return maildir_folder(dir).find(id, out);
}

void maildir_store::remember(const std::string& folder, const message_entry& entry) {
    // A folder without a cache is listed when next needed, this message included.
    if (const auto f = entries_.find(folder); f != entries_.end()) {
        message_entry copy = entry;
        cache_entry(f->second, std::move(copy));
    }
}

void maildir_store::forget(const std::string& folder, const std::string& id) {
    if (const auto f = entries_.find(folder); f != entries_.end())
        f->second.erase(id);
}

void maildir_store::touch(const fs::path& dir, location where) {
    touched_dirs_.insert(dir / location_dir_name(where));
}

std::error_code maildir_store::open(const std::string& folder, const std::string& id,
                                    message_reader& reader) {
    fs::path dir;
    if (auto ec = folder_of(folder, dir))
        return ec;
    message_entry entry;
    if (auto ec = entry_of(folder, dir, id, entry))
        return ec;
    if (auto ec = maildir_folder(dir).open_message(entry, reader))
        return ec;
    remember(folder, entry); // open_message followed a reader's rename
    return {};
}

sync::task<std::error_code> maildir_store::list_folders(std::vector<sync::folder_info>& folders) {
    std::error_code ec;
    for (auto& name : layout_.list_folders(ec))
        folders.push_back({std::move(name), ""});
    co_return ec;
}

sync::task<std::error_code> maildir_store::create_folder(const std::string& folder) {
    delivery_folder_ = {};
    co_return layout_.create_folder(folder); // durable when it returns (parent fsynced)
}

sync::task<std::error_code> maildir_store::delete_folder(const std::string& folder) {
    fs::path dir;
    if (auto ec = folder_of(folder, dir))
        co_return ec;
    scan_result left;
    if (auto ec = maildir_folder(dir).scan(left, scan_detail::names_only))
        co_return ec;
    if (!left.complete || !left.messages.empty())
        co_return maildir_errc::folder_not_empty;
    entries_.erase(folder);
    delivery_folder_ = {};
    co_return layout_.delete_folder(folder);
}

sync::task<std::error_code> maildir_store::rename_folder(const std::string& from,
                                                         const std::string& to) {
    // Already done: the folder moved with a parent renamed before it (sub-folders go along,
    // as with IMAP RENAME), or a pass was killed after renaming it.
    delivery_folder_ = {};
    const bool done = !layout_.folder_exists(from) && layout_.folder_exists(to);
    if (!done)
        if (auto ec = layout_.rename_folder(from, to))
            co_return ec;
    // Sub-folders moved too (IMAP RENAME semantics): drop every cached entry below `from`.
    const std::string prefix = from + "/";
    std::erase_if(entries_, [&](const auto& item) {
        return item.first == from || item.first.starts_with(prefix);
    });
    co_return std::error_code{};
}

sync::task<std::error_code> maildir_store::scan(const std::string& folder,
                                                sync::folder_scan& scan) {
    co_return co_await scan_folder(folder, scan, scan_listing::checked, true);
}

sync::task<std::error_code> maildir_store::rescan(const std::string& folder,
                                                  sync::folder_scan& scan) {
    co_return co_await scan_folder(folder, scan, scan_listing::once, false);
}

sync::task<std::error_code> maildir_store::scan_folder(std::string folder, sync::folder_scan& scan,
                                                       scan_listing listing, bool cache) {
    fs::path dir;
    if (auto ec = folder_of(folder, dir))
        co_return ec;
    // The times before the listing: a change after them shows in the next pass's times.
    const auto clock = read_token_clock(dir);
    folder_times times;
    const bool timed = !read_folder_times(dir, times);
    scan_result found;
    if (auto ec = maildir_folder(dir).scan(found, scan_detail::names_only, &scan_hooks_, listing))
        co_return ec;
    if (!found.complete)
        co_return maildir_errc::scan_incomplete; // a partial list would read as deletions
    scan.epoch.clear();
    scan.token = timed ? trusted_token(times, clock) : std::string();
    scan.messages.reserve(scan.messages.size() + found.messages.size());
    if (!cache) {
        for (auto& entry : found.messages)
            scan.messages.push_back({std::move(entry.base), entry.flags.bits(), ""});
        co_return std::error_code{};
    }
    auto& cached = fresh_cache(folder);
    cached.reserve(found.messages.size());
    for (auto& entry : found.messages) {
        scan.messages.push_back({entry.base, entry.flags.bits(), ""});
        cache_entry(cached, std::move(entry));
    }
    found = {};
    co_return std::error_code{};
}

sync::task<std::error_code> maildir_store::scan_since(const std::string& folder,
                                                      const sync::scan_base& base,
                                                      sync::folder_scan& scan) {
    bool unchanged = false;
    if (auto ec = co_await unchanged_since(folder, base.epoch, base.token, unchanged))
        co_return ec;
    if (!unchanged)
        co_return co_await this->scan(folder, scan);
    // The files are as the token's listing found them, which the base says: their names are
    // known without a listing. (A guess that is wrong after all, a name with letters we do
    // not keep, is corrected by the operation that uses it: it looks the base name up.)
    auto& cache = fresh_cache(folder);
    scan.epoch.clear();
    scan.token = base.token;
    scan.messages = base.messages;
    cache.reserve(base.messages.size());
    for (const auto& m : base.messages)
        cache.insert_or_assign(m.id, usual_entry(m.flags));
    co_return std::error_code{};
}

sync::task<std::error_code> maildir_store::unchanged_since(const std::string& folder,
                                                           const std::string& epoch,
                                                           const std::string& token,
                                                           bool& unchanged) {
    unchanged = false;
    fs::path dir;
    if (!epoch.empty() || token.empty() || folder_of(folder, dir))
        co_return std::error_code{}; // a missing folder: the scan says what is wrong
    folder_times times;
    unchanged = !read_folder_times(dir, times) && token_text(times) == token;
    co_return std::error_code{};
}

bool maildir_store::token_possible(const std::string& folder) {
    fs::path dir;
    if (folder_of(folder, dir))
        return true; // the scan says what is wrong
    folder_times times;
    if (read_folder_times(dir, times))
        return true; // the scan says what is wrong
    // Changed within the clock's step (this pass's own writes, usually): waiting out the rest
    // (one kernel tick where the file system keeps the kernel's stamp, else under 50 ms on one
    // with sub-second mtimes) lets the scan vouch for the folder, and the next pass skip it.
    // Blocking, as every Maildir operation here is.
    const auto deadline = std::chrono::steady_clock::now() + max_token_wait;
    for (;;) {
        const auto wait = time_to_trust(times, read_token_clock(dir));
        if (wait == std::chrono::nanoseconds::zero())
            return true;
        if (std::chrono::steady_clock::now() + wait > deadline)
            return false; // a whole-second file system: the next pass lists the folder
        std::this_thread::sleep_for(wait);
    }
}

sync::task<std::error_code> maildir_store::identify(const std::string& folder,
                                                    std::vector<sync::scanned_message*>& messages) {
    std::string chunk;
    sync::identity_builder builder; // one hash context for all
    for (auto* m : messages) {
        message_reader reader;
        if (auto ec = open(folder, m->id, reader))
            co_return ec;
        builder.reset();
        do {
            if (auto ec = reader.next(chunk, header_read_size))
                co_return ec;
            builder.feed(chunk);
        } while (!chunk.empty() && !builder.header_complete());
        std::uint64_t wire_size = 0;
        if (auto ec = reader.wire_size(wire_size))
            co_return ec;
        m->identity = builder.identity(wire_size);
    }
    co_return std::error_code{};
}

sync::task<std::error_code>
maildir_store::message_size(const std::string& folder, const std::string& id, std::uint64_t& size) {
    message_reader reader;
    if (auto ec = open(folder, id, reader))
        co_return ec;
    co_return reader.wire_size(size);
}

sync::task<std::error_code> maildir_store::read_message(const std::string& folder,
                                                        const std::string& id,
                                                        sync::message_sink& sink) {
    message_reader reader;
    if (auto ec = open(folder, id, reader))
        co_return ec;
    std::string chunk;
    while (true) {
        if (auto ec = reader.next(chunk))
            co_return ec;
        if (chunk.empty())
            co_return std::error_code{};
        if (auto ec = co_await sink.write(chunk))
            co_return ec;
    }
}

// Appends the wire bytes the engine pushes to a delivery; finish() hands it to the batch.
// A message of up to deferred_max_bytes is only collected here: finish() hands it to the
// worker thread, which creates, writes and closes its tmp file (and converts its line endings)
// while the loop goes on with the download: on the initial sync the file creation is most of
// the CPU time per message. A bigger one is written as it arrives, on the loop, so memory
// stays bounded by the chunks in flight.
class maildir_store::delivery_writer final : public sync::message_writer {
public:
    // Streamed: `d` is open.
    delivery_writer(maildir_store& store, delivery d, std::uint64_t size)
        : store_(store)
        , delivery_(std::move(d))
        , size_(size) {}
    // Deferred: nothing on disk yet.
    delivery_writer(maildir_store& store, std::shared_ptr<const delivery_folder> dir,
                    delivery_options options, std::uint64_t size)
        : store_(store)
        , size_(size)
        , deferred_(true)
        , dir_(std::move(dir))
        , options_(std::move(options)) {}

    sync::task<std::error_code> write(std::string_view chunk) override {
        co_return take(chunk, nullptr);
    }
    // The first chunk of a deferred message becomes its buffer (the IMAP side sizes it for
    // the whole message): one copy of the bytes less on the loop.
    sync::task<std::error_code> write_owned(std::string chunk) override {
        co_return take(chunk, &chunk);
    }

    sync::task<std::error_code> finish(std::string& new_id) override {
        if (written_ != size_)
            co_return std::make_error_code(std::errc::message_size); // truncated or too long
        if (deferred_)
            co_return co_await finish_deferred(new_id);
        if (auto ec = delivery_.finish())
            co_return ec;
        std::string base = delivery_.base_name();
        if (auto ec = store_.batch_.add(std::move(delivery_)))
            co_return ec;
        new_id = std::move(base);
        co_return std::error_code{};
    }

private:
    // `owned`: the chunk's string, which may be taken instead of copied.
    std::error_code take(std::string_view chunk, std::string* owned) {
        written_ += chunk.size();
        if (!deferred_)
            return delivery_.append(chunk);
        if (written_ > size_)
            return std::make_error_code(std::errc::message_size);
        if (bytes_.empty() && owned != nullptr)
            bytes_ = std::move(*owned);
        else
            bytes_.append(chunk);
        if (bytes_.capacity() < size_)
            bytes_.reserve(size_); // a message that comes in several chunks grows once
        return {};
    }

    sync::task<std::error_code> finish_deferred(std::string& new_id) {
        std::string base = store_.names_.next();
        new_id = base;
        auto shared = store_.worker_side_;
        const std::size_t bytes = bytes_.size();
        shared->queued_bytes += bytes;
        // The job converts the line endings in place and the delivery writes the result
        // straight from `data`: no copy of the message on the way to the file.
        std::function<void()> job = [shared, dir = std::move(dir_), options = options_,
                                     base = std::move(base), data = std::move(bytes_)]() mutable {
            const std::size_t queued = data.size();
            delivery_options stored = options;
            if (stored.from_wire) {
                crlf_to_lf::convert_whole(data);
                stored.from_wire = false;
            }
            delivery d;
            std::error_code ec = delivery::open(std::move(dir), stored, std::move(base), d);
            if (!ec)
                ec = d.append(data);
            if (!ec)
                ec = d.finish();
            if (!ec)
                ec = shared->batch.add(std::move(d));
            if (ec && !shared->error)
                shared->error = ec; // the next commit fails: nothing of it is recorded
            shared->queued_bytes -= queued;
        };
        store_.unposted_.push_back(std::move(job));
        store_.unposted_bytes_ += bytes;
        ++store_.deferred_since_commit_;
        if (store_.unposted_.size() >= post_every_messages ||
            store_.unposted_bytes_ >= post_every_bytes)
            store_.post_writes();
        // Bounded memory: past the limit, wait until the worker has written everything queued.
        if (shared->queued_bytes > max_queued_bytes) {
            store_.post_writes();
            std::function<std::error_code()> drained = [] {
                return std::error_code{};
            };
            (void)co_await store_.worker_.run(std::move(drained));
        }
        co_return std::error_code{};
    }

    maildir_store& store_;
    delivery delivery_; // its destructor removes the tmp file of an abandoned message
    std::uint64_t size_;
    std::uint64_t written_ = 0;
    bool deferred_ = false;
    std::shared_ptr<const delivery_folder> dir_;
    delivery_options options_;
    std::string bytes_; // a deferred message as received (wire form)
};

sync::task<std::error_code> maildir_store::read_messages(const std::string& folder,
                                                         const std::vector<std::string>& ids,
                                                         sync::message_receiver& receiver) {
    std::string chunk;
    for (const auto& id : ids) {
        message_reader reader;
        sync::message_header header;
        header.id = id;
        if (auto ec = open(folder, id, reader))
            co_return ec;
        if (auto ec = reader.wire_size(header.size))
            co_return ec;
        header.internal_date = reader.mtime();
        sync::message_sink* sink = nullptr;
        if (auto ec = co_await receiver.open(header, sink))
            co_return ec;
        std::error_code read_ec;
        while (!read_ec) {
            read_ec = reader.next(chunk);
            if (read_ec || chunk.empty())
                break;
            read_ec = co_await sink->write(chunk);
        }
        if (auto ec = co_await receiver.close(header, read_ec))
            co_return ec;
        if (read_ec)
            co_return read_ec;
    }
    co_return std::error_code{};
}

sync::task<std::error_code>
maildir_store::begin_message(const sync::new_message& message,
                             std::unique_ptr<sync::message_writer>& writer) {
    // The folder's directory is looked up (and checked: four stats) once per run of messages
    // into it, not once per message.
    if (delivery_folder_.first != message.folder || !delivery_folder_.second) {
        fs::path dir;
        if (auto ec = folder_of(message.folder, dir))
            co_return ec;
        delivery_folder_ = {message.folder,
                            std::make_shared<const delivery_folder>(std::move(dir))};
    }
    const auto& dir = delivery_folder_.second;
    delivery_options options;
    options.flags = flags_from_bits(message.flags);
    options.from_wire = true;
    if (message.internal_date != 0)
        options.internal_date =
            std::chrono::system_clock::time_point(std::chrono::seconds(message.internal_date));
    if (message.size <= deferred_max_bytes) {
        writer = std::make_unique<delivery_writer>(*this, dir, std::move(options), message.size);
        co_return std::error_code{};
    }
    delivery d;
    if (auto ec = delivery::open(dir, options, names_.next(), d))
        co_return ec;
    writer = std::make_unique<delivery_writer>(*this, std::move(d), message.size);
    co_return std::error_code{};
}

sync::task<std::error_code> maildir_store::set_flags(const std::string& folder,
                                                     const std::string& id, sync::flag_bits add,
                                                     sync::flag_bits remove) {
    co_return change_flags(folder, id, std::nullopt, add, remove);
}

sync::task<std::error_code> maildir_store::set_flags_from(const std::string& folder,
                                                          const std::string& id,
                                                          sync::flag_bits scanned,
                                                          sync::flag_bits add,
                                                          sync::flag_bits remove) {
    co_return change_flags(folder, id, scanned, add, remove);
}

std::error_code maildir_store::change_flags(const std::string& folder, const std::string& id,
                                            std::optional<sync::flag_bits> scanned,
                                            sync::flag_bits add, sync::flag_bits remove) {
    fs::path dir;
    if (auto ec = folder_of(folder, dir))
        return ec;
    message_entry entry;
    struct stat st {};
    bool found = false;
    if (scanned && !entries_.contains(folder)) {
        // The folder's listing is not cached (the engine scanned the others since): the name
        // the scan's flags give, as the files we write have, spares listing it.
        entry = from_cached(id, usual_entry(*scanned));
        found = ::lstat(entry.path(dir).c_str(), &st) == 0 || found_in_other_place(dir, entry);
    }
    if (!found) {
        if (auto ec = entry_of(folder, dir, id, entry))
            return ec;
        // The new flags are computed from the file's current name: a reader may have changed
        // flags since the scan (mutt marking it seen), and those must not be undone.
        if (::lstat(entry.path(dir).c_str(), &st) != 0 && !found_in_other_place(dir, entry))
            if (auto ec = maildir_folder(dir).find(id, entry))
                return ec;
    }
    const auto bits = static_cast<sync::flag_bits>((entry.flags.bits() | add) & ~remove);
    const location before = entry.where;
    if (auto ec = maildir_folder(dir).set_flags(entry, flags_from_bits(bits))) {
        forget(folder, id); // the cached name may be stale
        return ec;
    }
    touch(dir, before);
    touch(dir, entry.where);
    remember(folder, entry);
    return {};
}

sync::task<std::error_code> maildir_store::remove_message(const std::string& folder,
                                                          const std::string& id) {
    fs::path dir;
    if (auto ec = folder_of(folder, dir))
        co_return ec;
    message_entry entry;
    if (auto ec = entry_of(folder, dir, id, entry); ec == maildir_errc::message_not_found)
        co_return std::error_code{}; // already gone: what was asked for
    else if (ec)
        co_return ec;
    forget(folder, id);
    if (auto ec = maildir_folder(dir).remove(entry))
        co_return ec;
    touch(dir, entry.where);
    co_return std::error_code{};
}

sync::task<std::error_code> maildir_store::move_message(const std::string& from_folder,
                                                        const std::string& id,
                                                        const std::string& to_folder,
                                                        std::string& new_id) {
    fs::path from_dir;
    fs::path to_dir;
    if (auto ec = folder_of(from_folder, from_dir))
        co_return ec;
    if (auto ec = folder_of(to_folder, to_dir))
        co_return ec;
    message_entry entry;
    if (auto ec = entry_of(from_folder, from_dir, id, entry))
        co_return ec;
    forget(from_folder, id);
    if (auto ec = maildir_folder(from_dir).move_to(entry, maildir_folder(to_dir)))
        co_return ec;
    touch(from_dir, entry.where);
    touch(to_dir, entry.where);
    remember(to_folder, entry);
    new_id = entry.base;
    co_return std::error_code{};
}

void maildir_store::post_writes() {
    if (unposted_.empty())
        return;
    std::function<void()> job = [jobs = std::exchange(unposted_, {})]() {
        for (const auto& write : jobs)
            write();
    };
    unposted_bytes_ = 0;
    worker_.post(std::move(job));
}

sync::task<std::error_code> maildir_store::commit() {
    // Nothing written or renamed since the last commit (a pass that changed nothing): no job,
    // so no worker thread is started only to do nothing.
    if (batch_.empty() && touched_dirs_.empty() && deferred_since_commit_ == 0)
        co_return std::error_code{};
    deferred_since_commit_ = 0;
    // What this commit covers is taken now: messages finished while it runs on the worker
    // thread go into the next batch. The job owns it (the awaiting coroutine may be cancelled).
    struct work {
        delivery_batch batch;
        std::set<fs::path> dirs;
        commit_hooks hooks;
        std::error_code write_error;
    };
    auto w = std::make_shared<work>(work{
        std::exchange(batch_, delivery_batch()), std::exchange(touched_dirs_, {}), hooks_, {}});
    // On the writer: the deferred messages written so far, every one finished before this
    // commit (their jobs ran before this one). A failed write fails the commit, so the caller
    // records nothing of it; the others are made durable all the same (a later scan finds
    // them). Named jobs, not temporaries in the co_await: GCC 12 destroys such temporaries
    // twice (the captured shared_ptr was released twice: ASan, daemon_pop3 tests).
    std::function<std::error_code()> take = [w, shared = worker_side_]() -> std::error_code {
        w->batch.absorb(std::move(shared->batch));
        w->write_error = std::exchange(shared->error, {});
        return {};
    };
    post_writes(); // this commit covers them: their jobs run before `take`
    if (auto ec = co_await worker_.run(std::move(take)))
        co_return ec; // cancelled: the batch is dropped unrecorded (its files are removed)
    // On the committer, while the writer goes on with the next messages.
    std::function<std::error_code()> job = [w]() -> std::error_code {
        const std::error_code write_error = w->write_error;
        std::vector<delivered_message> done;
        std::error_code first_error = w->batch.commit(done, w->hooks);
        if (first_error == maildir_errc::commit_interrupted)
            return first_error; // a simulated crash: nothing more happens
        if (!first_error)
            first_error = write_error;
        for (const auto& dir : w->dirs) {
            // A directory gone since (its folder deleted or renamed, which fsynced the parent
            // itself) has nothing left to make durable.
            if (auto ec = fsync_directory(dir); ec && ec != std::errc::no_such_file_or_directory)
                if (!first_error)
                    first_error = ec;
        }
        return first_error;
    };
    const auto ec = co_await committer_.run(std::move(job));
    co_return ec;
}

} // namespace postfach::maildir
