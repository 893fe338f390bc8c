// Semaphore: a counter of permits and a FIFO of waiters. A woken waiter's
// permit is taken for it at the wake-up (the counter goes down in
// wake_up_next), so nobody can take it in between (asyncio: locks.Semaphore).
#include <algorithm>
#include <cassert>
#include <exception>
#include <optional>
#include <string>

#include "locks.hpp"

namespace aio {

Semaphore::Semaphore(int value) : value_(value) {
    if (value < 0)
        throw ValueError("Semaphore initial value must be >= 0, got " + std::to_string(value));
}

Semaphore::Semaphore(int value, int bound) : Semaphore(value) {
    bound_ = bound;
}

bool Semaphore::locked() const {
    //@exercise ch07.semaphore_locked  Locked: no permit left, or a waiter that is not cancelled is
    // queued (FIFO).
    bool live_waiter = std::any_of(waiters_.begin(), waiters_.end(),
                                   [](const Future<void>& waiter) { return !waiter.cancelled(); });
    return value_ == 0 || live_waiter;
    //@end
}

Coro<void> Semaphore::acquire() {
    std::exception_ptr cancelled;       // set when the wait below ends in a CancelledError
    std::optional<Future<void>> waiter; // our future, once we queued
    //@exercise ch07.semaphore_acquire  Take a permit at once unless locked(); else queue and wait
    //(the waker takes your permit).
    if (!locked()) {
        --value_;
        co_return;
    }
    EventLoop& loop = binding_.get();
    {
        detail::WaiterSlot slot(waiters_, loop);
        waiter = slot.future();
        try {
            co_await slot.future();
        } catch (const CancelledError&) {
            cancelled = std::current_exception();
        }
    }
    //@end
    if (cancelled) {
        //@exercise ch07.semaphore_give_back  Woken already, cancelled anyway: give back the permit
        // taken for you.
        if (waiter->done() && !waiter->cancelled()) ++value_;
        //@end
    }
    // Permits may be free while waiters that came after us wait (FIFO kept
    // them out of the fast path): wake as many as there are permits.
    while (value_ > 0 && wake_up_next()) {
    }
    assert(value_ >= 0 && "Semaphore: the counter went below zero");
    if (cancelled) std::rethrow_exception(cancelled);
}

void Semaphore::release() {
    //@exercise ch07.semaphore_release  Refuse a release above the bound; else add a permit and wake
    // the next waiter.
    if (bound_ && value_ >= *bound_)
        throw ValueError(
            "BoundedSemaphore released too many times; release only what you acquired");
    ++value_;
    wake_up_next();
    //@end
}

bool Semaphore::wake_up_next() {
    //@exercise ch07.semaphore_wake  Give a permit to the oldest pending waiter: take it from the
    // count, then wake it. False if none.
    for (Future<void>& waiter : waiters_) {
        if (waiter.done()) continue;
        --value_;
        waiter.set_result();
        return true;
    }
    return false;
    //@end
}

} // namespace aio
