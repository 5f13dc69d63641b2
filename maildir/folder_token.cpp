#include "maildir/folder_token.hpp"

#include "maildir/file_ops.hpp"

#include <chrono>
#include <fmt/format.h>
#include <sys/stat.h>

namespace postfach::maildir {
namespace {

constexpr std::chrono::nanoseconds fine_step = std::chrono::milliseconds(50);
constexpr std::chrono::nanoseconds coarse_step = std::chrono::seconds(2);

std::chrono::nanoseconds to_duration(const struct timespec& t) {
    return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
}

// How long after `now` a change is sure to get an mtime other than `mtime`.
std::chrono::nanoseconds until_settled(const struct timespec& mtime, const struct timespec& now) {
    const auto step = mtime.tv_nsec != 0 ? fine_step : coarse_step;
    const auto left = to_duration(mtime) + step - to_duration(now);
    return left < std::chrono::nanoseconds::zero() ? std::chrono::nanoseconds::zero()
                                                   : left + std::chrono::nanoseconds(1);
}

bool settled(const struct timespec& mtime, const struct timespec& now) {
    return until_settled(mtime, now) == std::chrono::nanoseconds::zero();
}

} // namespace

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

std::chrono::nanoseconds time_to_trust(const folder_times& times, const struct timespec& now) {
    return std::max(until_settled(times.new_dir, now), until_settled(times.cur_dir, now));
}

std::string trusted_token(const folder_times& times, const struct timespec& now) {
    if (!settled(times.new_dir, now) || !settled(times.cur_dir, now))
        return "";
    return token_text(times);
}

} // namespace postfach::maildir
