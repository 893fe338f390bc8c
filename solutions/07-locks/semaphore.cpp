// Semaphore: a counter of permits and a FIFO of waiters. A woken waiter's
// permit is taken for it at the wake-up (the counter goes down in
// wake_up_next), so nobody can take it in between (asyncio: locks.Semaphore).
#include <algorithm>
#include <cassert>
#include <exception>
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
    //@scratch ch07.semaphore_locked
    //@exercise ch07.semaphore_locked  No permit left, or a live waiter queued (FIFO).
    bool live_waiter = std::any_of(waiters_.begin(), waiters_.end(),
                                   [](const Future<void>& waiter) { return !waiter.cancelled(); });
    return value_ == 0 || live_waiter;
    //@end
    //@end
}

Coro<void> Semaphore::acquire() {
    //@scratch ch07.semaphore_acquire
    //@exercise ch07.semaphore_acquire  Take a permit unless locked(); else wait; then wake more.
    if (!locked()) {
        --value_;
        co_return;
    }
    EventLoop& loop = binding_.get();
    std::exception_ptr cancelled; // set when the wait below ends in a CancelledError
    {
        detail::WaiterSlot slot(waiters_, loop);
        try {
            co_await slot.future();
        } catch (const CancelledError&) {
            cancelled = std::current_exception();
        }
        if (cancelled) give_back_if_woken(slot.future());
    }
    // On both paths: permits may be free while waiters that came after us
    // wait (FIFO kept them out of the fast path); wake as many as there are.
    while (value_ > 0 && wake_up_next()) {
    }
    assert(value_ >= 0 && "Semaphore: the counter went below zero");
    if (cancelled) std::rethrow_exception(cancelled);
    //@end
    //@end
}

// gh-90155: a waiter cancelled after wake_up_next chose it holds a permit it
// will never use (asyncio: the `except CancelledError` of Semaphore.acquire).
void Semaphore::give_back_if_woken(const Future<void>& waiter) {
    //@scratch ch07.semaphore_give_back
    //@exercise ch07.semaphore_give_back  Woken, then cancelled: give the permit back.
    if (waiter.done() && !waiter.cancelled()) ++value_;
    //@end
    //@end
}

void Semaphore::release() {
    //@scratch ch07.semaphore_release
    //@exercise ch07.semaphore_release  Refuse above the bound; else add a permit, wake one.
    if (bound_ && value_ >= *bound_)
        throw ValueError(
            "BoundedSemaphore released too many times; release only what you acquired");
    ++value_;
    wake_up_next();
    //@end
    //@end
}

bool Semaphore::wake_up_next() {
    //@scratch ch07.semaphore_wake
    //@exercise ch07.semaphore_wake  Take a permit for the oldest pending waiter; wake it.
    for (Future<void>& waiter : waiters_) {
        if (waiter.done()) continue;
        --value_;
        waiter.set_result();
        return true;
    }
    return false;
    //@end
    //@end
}

} // namespace aio
