#include "maildir/maildir_folder.hpp"

#include "maildir/file_name.hpp"
#include "maildir/file_ops.hpp"
#include "maildir/maildir_errc.hpp"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <set>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>

namespace fs = std::filesystem;

namespace postfach::maildir {
namespace {

constexpr int max_scan_attempts = 5;
constexpr int max_rename_retries = 3;

std::chrono::system_clock::time_point to_time_point(const struct timespec& ts) {
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec)));
}

// A directory entry as readdir() gives it. Two listings are equal when their names are.
struct dir_item {
    std::string name;
    unsigned char type = DT_UNKNOWN;
    ino_t inode = 0;
    bool operator==(const dir_item& o) const { return name == o.name; }
    bool operator<(const dir_item& o) const { return name < o.name; }
};

// Directory entries, without "." and "..".
std::error_code list_dir(const fs::path& dir, std::vector<dir_item>& items) {
    items.clear();
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr)
        return last_errno();
    errno = 0;
    while (const dirent* e = ::readdir(d)) {
        std::string_view name(e->d_name);
        if (name != "." && name != "..")
            items.push_back({std::string(name), e->d_type, e->d_ino});
        errno = 0;
    }
    std::error_code ec;
    if (errno != 0)
        ec = last_errno();
    ::closedir(d);
    return ec;
}

// Both listings, sorted so two listings compare equal when nothing changed.
std::error_code list_both(const fs::path& dir, std::vector<dir_item>& new_items,
                          std::vector<dir_item>& cur_items) {
    if (auto ec = list_dir(dir / "new", new_items))
        return ec;
    if (auto ec = list_dir(dir / "cur", cur_items))
        return ec;
    std::sort(new_items.begin(), new_items.end());
    std::sort(cur_items.begin(), cur_items.end());
    return {};
}

enum class stat_outcome { message, vanished, foreign };

// The two directories of a folder opened once per pass, so each file costs one fstatat() and
// no path building.
class dir_fds {
public:
    explicit dir_fds(const fs::path& folder) {
        fds_[0] = ::open((folder / "new").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        fds_[1] = ::open((folder / "cur").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    ~dir_fds() {
        for (int fd : fds_)
            if (fd >= 0)
                ::close(fd);
    }
    dir_fds(const dir_fds&) = delete;
    dir_fds& operator=(const dir_fds&) = delete;
    [[nodiscard]] int operator[](location where) const {
        return fds_[where == location::cur_dir ? 1 : 0];
    }

private:
    int fds_[2] = {-1, -1};
};

stat_outcome stat_message(const dir_fds& dirs, location where, const std::string& name,
                          const file_name& parsed, message_entry& out) {
    struct stat st {};
    if (::fstatat(dirs[where], name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? stat_outcome::vanished : stat_outcome::foreign;
    if (!S_ISREG(st.st_mode))
        return stat_outcome::foreign;
    out.where = where;
    out.file_name = name;
    out.base = parsed.base;
    out.flags = parsed.flags;
    out.size = static_cast<std::uint64_t>(st.st_size);
    out.mtime = to_time_point(st.st_mtim);
    out.inode = st.st_ino;
    return stat_outcome::message;
}

// One pass over new/ then cur/. The keys view the names of the listing's items (a base name
// is the start of its file name), which outlive the pass: no third copy of every name.
struct scan_pass {
    std::unordered_map<std::string_view, message_entry> by_base;
    std::set<std::string> vanished;
    std::vector<std::string> ignored;

    void add(const fs::path& dir, const dir_fds& dirs, location where, const dir_item& item,
             scan_detail detail) {
        const std::string& name = item.name;
        file_name parsed = file_name::parse(name);
        if (!is_message_file_name(name) || parsed.base.empty()) {
            ignored.push_back(std::string(location_dir_name(where)) + "/" + name);
            return;
        }
        message_entry entry;
        stat_outcome outcome = stat_outcome::foreign;
        if (detail == scan_detail::names_only && item.type == DT_REG) {
            entry.where = where;
            entry.file_name = name;
            entry.base = parsed.base;
            entry.flags = parsed.flags;
            entry.inode = item.inode;
            outcome = stat_outcome::message;
        } else if (detail == scan_detail::full || item.type == DT_UNKNOWN) {
            outcome = stat_message(dirs, where, name, parsed, entry);
        }
        switch (outcome) {
        case stat_outcome::vanished:
            vanished.insert(std::move(parsed.base));
            return;
        case stat_outcome::foreign:
            ignored.push_back(std::string(location_dir_name(where)) + "/" + name);
            return;
        case stat_outcome::message:
            break;
        }
        const auto it = by_base.find(entry.base);
        if (it == by_base.end()) {
            by_base.emplace(std::string_view(name).substr(0, entry.base.size()), std::move(entry));
            return;
        }
        // Same base twice: a reader moved new/ -> cur/ between our two listings (keep cur/),
        // or someone copied a file inside cur/ (keep the first, say so).
        if (it->second.where == location::new_dir && where == location::cur_dir) {
            it->second = std::move(entry);
        } else {
            spdlog::warn("maildir {}: two files with base name \"{}\"; using {}", dir.string(),
                         entry.base, it->second.file_name);
        }
    }
};

} // namespace

const char* location_dir_name(location where) noexcept {
    return where == location::cur_dir ? "cur" : "new";
}

maildir_folder::maildir_folder(fs::path dir)
    : dir_(std::move(dir)) {}

std::error_code maildir_folder::scan(scan_result& out, scan_detail detail, const scan_hooks* hooks,
                                     scan_listing listing) const {
    out = {};
    std::vector<dir_item> new_names;
    std::vector<dir_item> cur_names;
    std::vector<dir_item> new_again;
    std::vector<dir_item> cur_again;
    for (int attempt = 0; attempt < max_scan_attempts; ++attempt) {
        // A file renamed between the listing and its stat, and again before the stat of its
        // new name: not in the result, though it may be there still (a reader that set a flag
        // and cleared it). The listings can agree all the same, so it makes the attempt fail.
        bool lost = false;
        if (auto ec = list_both(dir_, new_names, cur_names))
            return ec;
        if (hooks != nullptr && hooks->after_listing)
            hooks->after_listing(attempt);

        // Scoped: the pass goes before the listing that checks it (peak RSS, issue 5).
        {
            scan_pass pass;
            pass.by_base.reserve(new_names.size() + cur_names.size());
            const dir_fds dirs(dir_);
            for (const auto& item : new_names)
                pass.add(dir_, dirs, location::new_dir, item, detail);
            for (const auto& item : cur_names)
                pass.add(dir_, dirs, location::cur_dir, item, detail);
            // Files renamed between listing and stat: look for their new names, in one more
            // listing for all of them (a reader renaming thousands must not make this quadratic).
            std::erase_if(pass.vanished,
                          [&](const auto& base) { return pass.by_base.contains(base); });
            if (!pass.vanished.empty()) {
                if (auto ec = list_both(dir_, new_again, cur_again))
                    return ec;
                if (hooks != nullptr && hooks->after_relisting)
                    hooks->after_relisting(attempt);
                for (location where : {location::cur_dir, location::new_dir}) {
                    for (const auto& item : where == location::cur_dir ? cur_again : new_again) {
                        const std::string& name = item.name;
                        const file_name parsed = file_name::parse(name);
                        if (!pass.vanished.contains(parsed.base) ||
                            pass.by_base.contains(parsed.base))
                            continue;
                        message_entry found;
                        if (stat_message(dirs, where, name, parsed, found) == stat_outcome::message)
                            pass.by_base.emplace(
                                std::string_view(name).substr(0, parsed.base.size()),
                                std::move(found));
                    }
                }
            }

            lost = std::any_of(pass.vanished.begin(), pass.vanished.end(),
                               [&](const auto& base) { return !pass.by_base.contains(base); });
            out.messages.clear();
            out.messages.reserve(pass.by_base.size());
            for (auto& [base, entry] : pass.by_base)
                out.messages.push_back(std::move(entry));
            std::sort(
                out.messages.begin(), out.messages.end(),
                [](const message_entry& a, const message_entry& b) { return a.base < b.base; });
            out.ignored = std::move(pass.ignored);
        }
        if (listing == scan_listing::once)
            break; // complete as far as the caller is concerned
        // Directory mtimes are too coarse (one kernel tick) to notice a rename during the pass;
        // listing again and comparing is exact for anything that changed since the listing.
        if (auto ec = list_both(dir_, new_again, cur_again))
            return ec;
        out.complete = !lost && new_again == new_names && cur_again == cur_names;
        if (out.complete)
            break;
        spdlog::debug("maildir {}: changed during scan, scanning again", dir_.string());
    }
    for (const auto& name : out.ignored)
        spdlog::warn("maildir {}: ignoring {}: not a message file", dir_.string(), name);
    if (!out.complete)
        spdlog::warn("maildir {}: kept changing during {} scans; result may be incomplete",
                     dir_.string(), max_scan_attempts);
    return {};
}

std::error_code maildir_folder::find(std::string_view base, message_entry& out) const {
    std::vector<dir_item> items;
    const dir_fds dirs(dir_);
    for (location where : {location::cur_dir, location::new_dir}) {
        if (auto ec = list_dir(dir_ / location_dir_name(where), items))
            return ec;
        for (const auto& [name, type, inode] : items) {
            if (!name.starts_with(base) || (name.size() != base.size() && name[base.size()] != ':'))
                continue;
            if (stat_message(dirs, where, name, file_name::parse(name), out) ==
                stat_outcome::message)
                return {};
        }
    }
    return maildir_errc::message_not_found;
}

std::error_code
maildir_folder::with_current_name(message_entry& msg,
                                  const std::function<std::error_code()>& op) const {
    for (int attempt = 0;; ++attempt) {
        const std::error_code ec = op();
        if (ec != std::errc::no_such_file_or_directory || attempt == max_rename_retries)
            return ec;
        message_entry current;
        if (auto found = find(msg.base, current))
            return found;
        msg = std::move(current);
    }
}

std::error_code maildir_folder::set_flags(message_entry& msg, flag_set flags) const {
    return with_current_name(msg, [&]() -> std::error_code {
        auto parsed = file_name::parse(msg.file_name);
        parsed.flags = flags;
        const location target = (msg.where == location::cur_dir || !flags.empty())
                                    ? location::cur_dir
                                    : location::new_dir;
        const std::string name =
            target == location::cur_dir ? parsed.compose() : parsed.compose_for_new();
        if (target == msg.where && name == msg.file_name)
            return {};
        message_entry renamed = msg;
        renamed.where = target;
        renamed.file_name = name;
        if (auto ec = rename_no_replace(msg.path(dir_), renamed.path(dir_)))
            return ec;
        renamed.flags = flags;
        msg = std::move(renamed);
        return {};
    });
}

std::error_code maildir_folder::open_message(message_entry& msg, message_reader& out) const {
    return with_current_name(msg, [&] { return message_reader::open(msg.path(dir_), out); });
}

std::error_code maildir_folder::remove(message_entry& msg) const {
    const std::error_code ec = with_current_name(msg, [&]() -> std::error_code {
        if (::unlink(msg.path(dir_).c_str()) != 0)
            return last_errno();
        return {};
    });
    if (ec == maildir_errc::message_not_found)
        return {};
    return ec;
}

std::error_code maildir_folder::move_to(message_entry& msg, const maildir_folder& target) const {
    return with_current_name(msg, [&]() -> std::error_code {
        return rename_no_replace(msg.path(dir_), msg.path(target.dir_));
    });
}

std::error_code maildir_folder::remove_stale_tmp(std::chrono::system_clock::time_point now,
                                                 std::size_t& removed) const {
    removed = 0;
    std::vector<dir_item> items;
    if (auto ec = list_dir(dir_ / "tmp", items))
        return ec;
    const auto cutoff = now - stale_tmp_age;
    for (const auto& [name, type, inode] : items) {
        const fs::path p = dir_ / "tmp" / name;
        struct stat st {};
        if (::lstat(p.c_str(), &st) != 0 || S_ISDIR(st.st_mode))
            continue;
        if (to_time_point(st.st_mtim) > cutoff || to_time_point(st.st_atim) > cutoff)
            continue;
        if (::unlink(p.c_str()) == 0)
            ++removed;
        else if (errno != ENOENT)
            return last_errno();
    }
    return {};
}

} // namespace postfach::maildir
