#include "maildir/folder_token.hpp"

#include "maildir/file_ops.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/vfs.h>

namespace postfach::maildir {
namespace {

constexpr std::chrono::nanoseconds fine_step = std::chrono::milliseconds(50);
constexpr std::chrono::nanoseconds coarse_step = std::chrono::seconds(2);

// statfs() f_type of the file systems whose mtimes are the kernel's stamp to the nanosecond.
constexpr std::array<decltype(statfs::f_type), 4> kernel_time_file_systems{
    0xEF53,     // ext4 (ext2/3 too: their whole-second inodes give tv_nsec 0, see below)
    0x58465342, // XFS
    0x9123683E, // Btrfs
    0x01021994, // tmpfs
};

std::chrono::nanoseconds to_duration(const struct timespec& t) {
    return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
}

// The coarse clock vouches for sub-second mtimes where the file system keeps them exactly.
bool by_coarse_clock(const struct timespec& mtime, const token_clock& clock) {
    return mtime.tv_nsec != 0 && clock.coarse.has_value();
}

bool settled(const struct timespec& mtime, const token_clock& clock) {
    if (by_coarse_clock(mtime, clock))
        return to_duration(*clock.coarse) > to_duration(mtime);
    const auto step = mtime.tv_nsec != 0 ? fine_step : coarse_step;
    return to_duration(clock.now) > to_duration(mtime) + step;
}

// How long after the clock's reading a change is sure to get an mtime other than `mtime`.
std::chrono::nanoseconds until_settled(const struct timespec& mtime, const token_clock& clock) {
    if (settled(mtime, clock))
        return std::chrono::nanoseconds::zero();
    if (by_coarse_clock(mtime, clock)) // past the mtime after the rest of this tick
        return to_duration(mtime) - to_duration(*clock.coarse) + clock.tick +
               std::chrono::nanoseconds(1);
    const auto step = mtime.tv_nsec != 0 ? fine_step : coarse_step;
    return to_duration(mtime) + step - to_duration(clock.now) + std::chrono::nanoseconds(1);
}

} // namespace

token_clock read_token_clock(const std::filesystem::path& folder_dir) {
    token_clock clock;
    ::clock_gettime(CLOCK_REALTIME, &clock.now);
    struct statfs fs {};
    if (::statfs(folder_dir.c_str(), &fs) != 0 ||
        std::find(kernel_time_file_systems.begin(), kernel_time_file_systems.end(), fs.f_type) ==
            kernel_time_file_systems.end())
        return clock;
    struct timespec coarse {};
    struct timespec tick {};
    if (::clock_gettime(CLOCK_REALTIME_COARSE, &coarse) != 0 ||
        ::clock_getres(CLOCK_REALTIME_COARSE, &tick) != 0)
        return clock;
    clock.coarse = coarse;
    clock.tick = to_duration(tick);
    return clock;
}

std::error_code read_folder_times(const std::filesystem::path& folder_dir, folder_times& out) {
    struct stat st {};
    if (::stat((folder_dir / "new").c_str(), &st) != 0)
        return last_errno();
    out.new_dir = st.st_mtim;
    if (::stat((folder_dir / "cur").c_str(), &st) != 0)
        return last_errno();
    out.cur_dir = st.st_mtim;
    return {};
}

std::string token_text(const folder_times& times) {
    return fmt::format("{}.{:09}/{}.{:09}", times.new_dir.tv_sec, times.new_dir.tv_nsec,
                       times.cur_dir.tv_sec, times.cur_dir.tv_nsec);
}

std::chrono::nanoseconds time_to_trust(const folder_times& times, const token_clock& clock) {
    return std::max(until_settled(times.new_dir, clock), until_settled(times.cur_dir, clock));
}

std::string trusted_token(const folder_times& times, const token_clock& clock) {
    if (!settled(times.new_dir, clock) || !settled(times.cur_dir, clock))
        return "";
    return token_text(times);
}

} // namespace postfach::maildir
