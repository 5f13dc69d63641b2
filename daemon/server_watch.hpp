#pragma once
// Server → local for one account in the daemon: watches the server on connections of its own
// and asks for a pass (request_pass) whenever a watched folder changed, and once after every
// (re)connection, to catch up with what happened while nobody watched.
//
// A watch connection never carries a pass: a pass never waits for DONE, a server change during a
// pass is still seen (and makes another pass due), and the pass connection's idea of the
// selected folder is never disturbed.
//
// Modes, chosen from the server's capabilities:
//   - NOTIFY (RFC 5465) on all folders: one connection, NOTIFY SET (personal (MessageNew
//     MessageExpunge FlagChange MailboxName SubscriptionChange)) with no folder selected, then
//     IDLE to receive; the untagged STATUS and LIST name the folder that changed, and a pass is
//     requested when that folder is one the account syncs (folders.include/exclude). On
//     [NOTIFICATIONOVERFLOW] it logs out, arms again and requests a pass.
//   - IDLE on INBOX (RFC 2177): EXAMINE INBOX, IDLE, re-issued every idle_refresh (at least 30 s,
//     at most 25 min: RFC 2177 asks for < 29 min; poll_interval between). Other folders are
//     left to the pass loop's poll_interval.
//   - without NOTIFY: IDLE on INBOX plus IDLE connections for the next folders, up to
//     max_connections (the pass connection counted); "most active" is a fixed order: INBOX,
//     folders without a special use in LIST order, then the special-use ones (they change
//     mostly by the user's own hand). The INBOX connection polls the remaining folders every
//     poll_interval between IDLE rounds: one LIST-STATUS (RFC 5819) where offered (which also
//     sees folders made on the server), else STATUS per folder; a pass is requested only when
//     UIDVALIDITY, UIDNEXT, MESSAGES or HIGHESTMODSEQ of a folder changed, or a folder came or
//     went.
//   - without IDLE: one connection polls every folder that way.
//   - `idle: false`, or max_connections 1: nothing here; the pass loop polls every
//     poll_interval with full passes.
//
// Health: during IDLE a read deadline of the refresh period plus a minute finds a half-open
// connection at the next refresh. A lost connection is opened again with exponential backoff
// and jitter (backoff); on_connection_lost tells the owner that the same outage may have cut its
// pass connection.
//
// Contract: one single-threaded executor. run() returns after stop() (with DONE and LOGOUT), or
// at once when there is nothing to watch. The watch outlives run().

#include "config/config.hpp"
#include "imap/connection.hpp"
#include "imap/status_tracker.hpp"
#include "imap/watch_events.hpp"
#include "sync/account_pass.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace postfach {

struct server_watch_hooks {
    // A connection for the account's IMAP server block, not yet opened.
    std::function<std::unique_ptr<imap::connection>()> make_connection;
    // A watched folder changed, or a watch connection was (re)established.
    std::function<void()> request_pass;
    // mode() changed (the daemon sends STATUS=).
    std::function<void()> on_mode_change;
    // A watch connection failed: the pass connection may be cut too (NOOP it before a pass).
    std::function<void()> on_connection_lost;
};

class server_watch {
public:
    server_watch(boost::asio::any_io_executor executor, const config::account_config& account,
                 server_watch_hooks hooks);
    server_watch(const server_watch&) = delete;
    server_watch& operator=(const server_watch&) = delete;

    boost::asio::awaitable<void> run();
    // Ends run(): IDLE ends with DONE, connections log out; pending retries end at once.
    void stop();

    // For STATUS=: "IDLE on INBOX", "polling every 300 s (no IDLE)", ... (no server text).
    [[nodiscard]] const std::string& mode() const noexcept { return mode_; }
    // True while the watch reports every change of the synced folders on the server (NOTIFY,
    // or IDLE + STATUS polling): the pass loop need not poll with full passes then.
    [[nodiscard]] bool covers_everything() const noexcept { return covering_; }

private:
    enum class watch_end { stopped, no_idle, idle_refused, no_notify };
    enum class watch_kind { notify, idle, poll };
    struct watch_target {
        watch_kind kind = watch_kind::idle;
        std::string mailbox;  // idle: the folder EXAMINEd (wire name)
        bool polls = false;   // also polls polled_ every poll_interval (between IDLE rounds)
        bool primary = false; // while it watches, covers_everything()
    };
    // IDLE on the most active folders, polling the rest; or only polling without IDLE.
    boost::asio::awaitable<void> watch_without_notify(bool no_idle);
    // Every target on a connection of its own, side by side.
    boost::asio::awaitable<void> watch_all(std::vector<watch_target> targets);
    // The synced, selectable folders (wire names), most active first; false when stopped.
    boost::asio::awaitable<bool> list_folders(std::vector<std::string>& folders);
    [[nodiscard]] std::vector<std::string>
    order_folders(const std::vector<imap::response>& listed) const;
    // One STATUS poll (LIST-STATUS where offered, else STATUS per polled_ folder); requests a
    // pass when a polled folder changed since the connection's previous poll.
    boost::asio::awaitable<std::error_code> poll(imap::client_session& session,
                                                 imap::status_tracker& tracker);
    [[nodiscard]] bool is_polled(const std::string& wire) const;
    // One watch connection, reconnected with backoff until stop() or until the server turns out
    // not to offer what it needs. NOTIFY and IDLE on a folder differ only in arm() and
    // wants_pass().
    boost::asio::awaitable<watch_end> watch_connection(watch_target target);
    // NOTIFY SET, or EXAMINE the folder. armed tells whether it worked; a watch_end other than
    // `stopped` says this kind of watch is not offered at all.
    boost::asio::awaitable<watch_end> arm(imap::client_session& session, const watch_target& target,
                                          bool& armed);
    // Whether the events name a folder that is synced (NOTIFY reports every folder).
    [[nodiscard]] bool wants_pass(const watch_target& target,
                                  const imap::watch_events& events) const;
    // Waits `delay`, or less if stop() is called.
    boost::asio::awaitable<void> pause(std::chrono::milliseconds delay);
    boost::asio::awaitable<void> stopped();
    void set_mode(std::string mode);

    const config::account_config& account_;
    server_watch_hooks hooks_;
    sync::folder_selector selector_;
    bool stopping_ = false;
    bool covering_ = false;
    boost::asio::steady_timer stop_timer_; // never expires; stop() cancels it, waking every waiter
    std::string mode_ = "polling";
    std::string watching_mode_;       // mode() while the connections without NOTIFY work
    std::vector<std::string> polled_; // wire names polled with STATUS
    std::set<std::string> idled_;     // wire names with an IDLE connection
};

} // namespace postfach
