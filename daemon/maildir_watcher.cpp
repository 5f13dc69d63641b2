#include "daemon/maildir_watcher.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/inotify.h>

namespace postfach {

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t watch_mask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                                     IN_CLOSE_WRITE | IN_DELETE_SELF | IN_ONLYDIR;

} // namespace

maildir_watcher::maildir_watcher(asio::any_io_executor executor, fs::path root,
                                 std::function<void()> on_change,
                                 std::chrono::milliseconds debounce)
    : inotify_(std::move(executor))
    , root_(std::move(root))
    , on_change_(std::move(on_change))
    , debounce_(debounce) {}

std::error_code maildir_watcher::start() {
    const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
        const std::error_code ec(errno, std::generic_category());
        diagnostics_ = fmt::format("inotify_init1: {}", ec.message());
        return ec;
    }
    inotify_.assign(fd);
    watch_tree(root_);
    if (watches_.empty()) {
        diagnostics_ = fmt::format("cannot watch {}", root_.string());
        return std::make_error_code(std::errc::no_such_file_or_directory);
    }
    return {};
}

void maildir_watcher::watch_one(const fs::path& dir) {
    const int wd = inotify_add_watch(inotify_.native_handle(), dir.c_str(), watch_mask);
    if (wd < 0) {
        // ENOSPC: fs.inotify.max_user_watches is too low; the poll interval still syncs.
        spdlog::warn("cannot watch {}: {}; changes there wait for the next poll", dir.string(),
                     std::strerror(errno));
        return;
    }
    watches_[wd] = dir;
}

void maildir_watcher::watch_tree(const fs::path& dir) {
    watch_one(dir);
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->is_directory(ec) || it->is_symlink(ec))
            continue;
        if (it->path().filename() == "tmp") {
            it.disable_recursion_pending();
            continue;
        }
        watch_one(it->path());
    }
}

bool maildir_watcher::handle_events(const char* data, std::size_t size) {
    bool changed = false;
    for (std::size_t offset = 0; offset + sizeof(inotify_event) <= size;) {
        inotify_event event{};
        std::memcpy(&event, data + offset, sizeof(event));
        const std::string name =
            event.len > 0 ? std::string(data + offset + sizeof(inotify_event)) : std::string();
        offset += sizeof(inotify_event) + event.len;

        if (event.mask & IN_Q_OVERFLOW) {
            changed = true; // events were lost: a pass finds whatever they were
            continue;
        }
        if (event.mask & IN_IGNORED) {
            watches_.erase(event.wd);
            continue;
        }
        const auto dir = watches_.find(event.wd);
        if (dir == watches_.end())
            continue;
        const bool is_dir = (event.mask & IN_ISDIR) != 0;
        if (is_dir && name == "tmp")
            continue;
        if (is_dir && (event.mask & (IN_CREATE | IN_MOVED_TO)))
            watch_tree(dir->second / name);
        // A file created in new/ or cur/ is still being written; its close or rename counts.
        if (!is_dir && (event.mask & IN_CREATE))
            continue;
        changed = true;
    }
    return changed;
}

asio::awaitable<void> maildir_watcher::run() {
    using namespace asio::experimental::awaitable_operators;
    alignas(inotify_event) std::array<char, 16 * 1024> buffer{};
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        auto [ec, n] = co_await inotify_.async_read_some(asio::buffer(buffer),
                                                         asio::as_tuple(asio::use_awaitable));
        if (ec) {
            spdlog::warn("inotify on {} failed: {}; local changes wait for the next poll",
                         root_.string(), ec.message());
            co_return;
        }
        if (!handle_events(buffer.data(), n))
            continue;
        // Gather the rest of the burst, then one call.
        timer.expires_after(debounce_);
        for (;;) {
            auto more = co_await (inotify_.async_read_some(asio::buffer(buffer),
                                                           asio::as_tuple(asio::use_awaitable)) ||
                                  timer.async_wait(asio::as_tuple(asio::use_awaitable)));
            if (more.index() == 1)
                break;
            const auto [read_ec, read_n] = std::get<0>(more);
            if (read_ec)
                break;
            handle_events(buffer.data(), read_n);
        }
        on_change_();
    }
}

} // namespace postfach
