#pragma once
// Local → server push: inotify on an account's Maildir, inside the daemon's event loop (the
// inotify descriptor is a posix::stream_descriptor; no second loop, design.md §5).
//
// Watches the Maildir root and every directory below it except tmp/ (which holds only
// deliveries in progress): new/ and cur/ of every folder, and the folder directories, so a
// folder created, deleted or renamed is seen, and a folder created later is watched too.
// What counts as a change: a file renamed into or out of new/ or cur/ (delivery, a flag change,
// a move), a file deleted, a file written and closed there (a writer that skips tmp/), a
// directory created, deleted or renamed. A burst of events (mutt saving a folder, notmuch
// renaming hundreds of files) calls on_change once, `debounce` after its first event.
//
// Contract: start() once, then co_await run() until cancelled; on_change runs on the executor.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <system_error>

namespace postfach {

class maildir_watcher {
public:
    maildir_watcher(boost::asio::any_io_executor executor, std::filesystem::path root,
                    std::function<void()> on_change,
                    std::chrono::milliseconds debounce = std::chrono::milliseconds(200));
    maildir_watcher(const maildir_watcher&) = delete;
    maildir_watcher& operator=(const maildir_watcher&) = delete;

    // inotify_init and the watches on the existing directories; diagnostics() says why not.
    std::error_code start();
    boost::asio::awaitable<void> run();

    [[nodiscard]] const std::string& diagnostics() const noexcept { return diagnostics_; }
    [[nodiscard]] std::size_t watched_directories() const noexcept { return watches_.size(); }

private:
    // Watches dir and the directories below it (except tmp/).
    void watch_tree(const std::filesystem::path& dir);
    void watch_one(const std::filesystem::path& dir);
    // Handles the events in the bytes read; true if any is a change worth a pass.
    bool handle_events(const char* data, std::size_t size);

    boost::asio::posix::stream_descriptor inotify_;
    std::filesystem::path root_;
    std::function<void()> on_change_;
    std::chrono::milliseconds debounce_;
    std::map<int, std::filesystem::path> watches_; // watch descriptor → directory
    std::string diagnostics_;
};

} // namespace postfach
