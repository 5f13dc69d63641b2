#pragma once
// A wake-up call for one waiting coroutine: notify() before or during wait() makes wait()
// return; notifications while nobody waits are kept (one pending, not counted). Used for "a pass
// is due" (SIGUSR1, inotify, IDLE) and "stop now".
//
// Contract: one executor (the daemon's single thread); one waiter at a time. Cancelling the
// waiting coroutine ends wait() with an exception (operation_aborted).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/system_error.hpp>
#include <chrono>

namespace postfach {

class trigger {
public:
    explicit trigger(boost::asio::any_io_executor executor);

    void notify();
    // Returns at once if notified since the last wait(); clears the notification.
    boost::asio::awaitable<void> wait();
    // wait(), but for no longer than until `deadline`: true when notified, false when the
    // deadline came first (the one "wake me on an event or at a time" of the daemon's loops).
    boost::asio::awaitable<bool> wait_until(std::chrono::steady_clock::time_point deadline);
    boost::asio::awaitable<bool> wait_for(std::chrono::steady_clock::duration timeout);
    [[nodiscard]] bool pending() const noexcept { return pending_; }

private:
    boost::asio::steady_timer timer_; // never expires; cancel() wakes the waiter
    bool pending_ = false;
};

// Whether `e` is what a cancelled wait (of a trigger, a timer, an I/O) ends with: a coroutine
// stopped from outside, not a failure to report.
[[nodiscard]] bool is_cancellation(const boost::system::system_error& e) noexcept;

} // namespace postfach
