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

namespace postfach {

class trigger {
public:
    explicit trigger(boost::asio::any_io_executor executor);

    void notify();
    // Returns at once if notified since the last wait(); clears the notification.
    boost::asio::awaitable<void> wait();
    [[nodiscard]] bool pending() const noexcept { return pending_; }

private:
    boost::asio::steady_timer timer_; // never expires; cancel() wakes the waiter
    bool pending_ = false;
};

} // namespace postfach
