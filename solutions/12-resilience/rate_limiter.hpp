// The sliding-window rate limiter (Python: aiolimiter's AsyncLimiter, here as
// an exact sliding window log): at most `rate` acquisitions in any window of
// `period`, granted in arrival order, with one timer for all waiters.
#pragma once

#include <cstddef>
#include <deque>
#include <list>

#include "locks.hpp" // Guard
#include "task.hpp"
#include "timers.hpp" // TimerHandle
#include "waiter_queue.hpp"

namespace aio {

class RateLimiter : detail::Pinned {
public:
    RateLimiter(std::size_t rate, Duration period); // rate 0 or period <= 0: ValueError
    ~RateLimiter() { timer_.cancel(); }

    // Waits until a grant keeps every half-open window [s, s + period) at
    // `rate` grants or fewer: a grant at t leaves the window at exactly
    // t + period. FIFO: nobody overtakes a waiter.
    Coro<void> acquire();
    // `async with limiter:`. The Guard owns nothing: a grant is not given
    // back, it ages out of the window.
    Coro<Guard> guard();
    // Grants still free now (rate before the first acquire).
    std::size_t available() const;

private:
    // A waiter's future carries the time of its grant: the stamp to take
    // back out of the window if it is cancelled before it runs.
    using Waiters = std::list<Future<TimePoint>>;

    void forget_expired(TimePoint now);   // drop grants older than one period
    void grant_waiters();                 // as many as the window allows, oldest first
    void take_back(TimePoint granted_at); // a woken waiter was cancelled: un-grant it

    std::size_t rate_;
    Duration period_;
    std::deque<TimePoint> grants_; // times of the grants still in the window, oldest first
    Waiters waiters_;
    TimerHandle timer_;
    bool timer_armed_ = false;
    EventLoop* loop_ = nullptr; // the bound loop, once known
    detail::LoopBinding binding_{"RateLimiter"};
};

} // namespace aio
