// Deadlines: timeout, timeout_at and wait_for (asyncio: timeouts.py and
// tasks.wait_for). A deadline cancels the current task; the CancelledError
// that comes back becomes TimeoutError, but only if it was the deadline's own.
#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <utility>

#include "task.hpp"

namespace aio {

namespace detail {

// asyncio.Timeout: the state of one `async with timeout(...)` block.
//
//   ENTERED --deadline passes--> EXPIRING --exit()--> EXPIRED
//      \------------------------exit()--------------> EXITED
//
// It lives in the frame of the coroutine that runs the block, in the task it
// watches, so the task outlives it; its destructor cancels the timer.
class TimeoutScope {
public:
    explicit TimeoutScope(TimePoint deadline); // RuntimeError outside a task
    ~TimeoutScope() { stop_timer(); }
    TimeoutScope(const TimeoutScope&) = delete;
    TimeoutScope& operator=(const TimeoutScope&) = delete;

    // The block ended with `error` (null: normally). Returns what leaves the
    // block: error itself, or a TimeoutError in place of our own cancellation.
    std::exception_ptr exit(std::exception_ptr error);
    bool expired() const { return status_ == Status::EXPIRING || status_ == Status::EXPIRED; }

private:
    enum class Status { ENTERED, EXPIRING, EXPIRED, EXITED };
    void on_deadline(); // asyncio: Timeout._on_timeout
    void stop_timer() { // whichever of the two was armed
        timer_.cancel();
        expiry_soon_.cancel();
    }

    TaskBase& task_;
    int cancelling_at_entry_; // the task's cancelling() when the block began
    Status status_ = Status::ENTERED;
    TimerHandle timer_;  // the deadline, while it lies ahead
    Handle expiry_soon_; // the expiry, when the deadline had passed at entry
};

bool is_cancellation(const std::exception_ptr& error);

// asyncio: tasks._cancel_and_wait. Cancels f, then waits until it is done
// (a task may take loop passes to clean up). An outside cancel still wins.
Coro<void> cancel_and_wait(std::shared_ptr<FutureStateBase> f);

// `co_await f` as a Coro, so a Future can be the body of a timeout block.
template <class T>
Coro<T> await_future(Future<T> f) {
    co_return co_await f; // for void too: co_return of a void expression
}

} // namespace detail

// asyncio.timeout_at(when): runs body inline in the current task; when the
// deadline passes first, body is cancelled and TimeoutError comes out instead.
// An outside cancel wins (it stays a CancelledError); nested blocks: only the
// one that expired converts.
template <class T>
Coro<T> timeout_at(TimePoint when, Coro<T> body) {
    detail::TimeoutScope scope(when);
    std::optional<detail::FutureValue<T>> value;
    std::exception_ptr error;
    try {
        if constexpr (std::is_void_v<T>) {
            co_await body;
            value.emplace();
        } else {
            value.emplace(co_await body);
        }
    } catch (...) {
        error = std::current_exception(); // no co_await in a catch block: leave it first
    }
    if (std::exception_ptr leaving = scope.exit(error)) std::rethrow_exception(leaving);
    if constexpr (!std::is_void_v<T>) co_return std::move(*value);
}

// asyncio.timeout(delay): the deadline is now + delay, fixed when the
// returned Coro starts.
template <class T>
Coro<T> timeout(Duration delay, Coro<T> body) {
    TimePoint deadline = get_running_loop().time() + delay;
    co_return co_await timeout_at(deadline, std::move(body));
}

// asyncio.wait_for(f, timeout) (3.12): f's result, or TimeoutError once f was
// cancelled and has finished. timeout <= 0: f's result if f is already done,
// else cancel it and wait. nullopt: no limit.
template <class T>
Coro<T> wait_for(Future<T> f, std::optional<Duration> timeout) {
    //@scratch ch06.wait_for
    //@exercise ch06.wait_for  No limit, zero or less, or a timeout block around f.
    if (!timeout) co_return co_await f;
    if (*timeout > Duration::zero()) {
        TimePoint deadline = f.get_loop().time() + *timeout;
        co_return co_await timeout_at(deadline, detail::await_future(f));
    }
    if (!f.done()) {
        co_await detail::cancel_and_wait(f.state());
        if (f.cancelled()) throw TimeoutError("wait_for: the timeout was zero or less");
    }
    co_return f.result();
    //@end
    //@end
}

// wait_for on a coroutine: it runs in a task of its own, which a timeout
// cancels (a timeout <= 0 cancels it before its first step, as 3.11 did).
template <class T>
Coro<T> wait_for(Coro<T> c, std::optional<Duration> timeout) {
    Task<T> task = create_task(std::move(c));
    co_return co_await wait_for(Future<T>(task), timeout);
}

} // namespace aio
