// Condition: a Lock plus a queue of waiters that gave the lock up until a
// notify (asyncio: locks.Condition).
#include <exception>

#include "locks.hpp"

namespace aio {

Condition::Condition(Lock* lock)
    : own_lock_(lock == nullptr ? std::make_unique<Lock>() : nullptr),
      lock_(lock == nullptr ? own_lock_.get() : lock) {}

// Three phases: give the lock up, wait for a notify, take the lock back.
// The lock is taken back however the wait ended, since the caller's
// `async with` will release it. Any error on the way out passes one
// notification on: ours may have been spent on a waiter that now leaves
// (a spurious wake-up for the next one, which the protocol allows).
Coro<void> Condition::wait() {
    //@scratch ch07.condition_wait ch07.condition_retake
    std::exception_ptr error; // how the wait or the re-acquire ended, if not well
    //@exercise ch07.condition_wait  Check the lock, give it up, await a notify; keep errors.
    if (!locked()) throw RuntimeError("cannot wait on un-acquired lock; acquire() it first");
    EventLoop& loop = binding_.get();
    release();
    {
        detail::WaiterSlot slot(waiters_, loop);
        try {
            co_await slot.future();
        } catch (...) {
            error = std::current_exception();
        }
    }
    //@end
    //@exercise ch07.condition_retake  Retake the lock despite cancels; on error notify one.
    for (;;) {
        try {
            co_await lock_->acquire();
            break;
        } catch (const CancelledError&) {
            error = std::current_exception();
        }
    }
    if (error) {
        notify(1); // the lock is held again here
        std::rethrow_exception(error);
    }
    //@end
    //@end
}

Coro<void> Condition::wait_for(std::function<bool()> predicate) {
    //@scratch ch07.condition_wait_for
    //@exercise ch07.condition_wait_for  Wait until the predicate holds.
    while (!predicate())
        co_await wait();
    //@end
    //@end
}

// Wakes the first n waiters still pending; a done one (woken already, or
// cancelled) does not count (asyncio: Condition.notify and _notify).
void Condition::notify(std::size_t n) {
    //@scratch ch07.condition_notify
    //@exercise ch07.condition_notify  Need the lock; wake the n oldest pending waiters.
    if (!locked()) throw RuntimeError("cannot notify on un-acquired lock; acquire() it first");
    std::size_t woken = 0;
    for (Future<void>& waiter : waiters_) {
        if (woken >= n) break;
        if (waiter.done()) continue;
        waiter.set_result();
        ++woken;
    }
    //@end
    //@end
}

} // namespace aio
