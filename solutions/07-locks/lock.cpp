// Lock: a flag and a FIFO of waiter futures; release() wakes the first
// waiter, who takes the lock when it runs (asyncio: locks.Lock).
#include <algorithm>
#include <exception>

#include "locks.hpp"

namespace aio {

Coro<void> Lock::acquire() {
    std::exception_ptr cancelled; // set when the wait below ends in a CancelledError
    //@exercise ch07.lock_acquire  Take a free lock with nobody live queued at once; else queue a
    // waiter and take the lock when woken.
    bool queue_is_dead = std::all_of(waiters_.begin(), waiters_.end(),
                                     [](const Future<void>& waiter) { return waiter.cancelled(); });
    if (!locked_ && queue_is_dead) {
        locked_ = true;
        co_return;
    }
    EventLoop& loop = binding_.get();
    {
        detail::WaiterSlot slot(waiters_, loop);
        try {
            co_await slot.future();
        } catch (const CancelledError&) {
            cancelled = std::current_exception();
        }
    }
    //@end
    if (cancelled) {
        //@exercise ch07.lock_cancel  A cancelled waiter: if the lock is free, pass the wake-up on,
        // then let the cancellation out.
        if (!locked_) wake_up_first();
        std::rethrow_exception(cancelled);
        //@end
    }
    locked_ = true;
}

void Lock::release() {
    //@exercise ch07.lock_release  Refuse an unlocked lock; else unlock and wake the first waiter.
    if (!locked_) throw RuntimeError("Lock is not acquired.");
    locked_ = false;
    wake_up_first();
    //@end
}

// Only the head is woken: it takes the lock when it runs. A head that is
// done already (woken, or cancelled) will wake the next one itself on its
// way out (lock_cancel), so looking further here would wake two.
void Lock::wake_up_first() {
    //@exercise ch07.lock_wake  Wake the oldest waiter unless its future is done already.
    if (waiters_.empty()) return;
    Future<void> first = *waiters_.begin();
    if (!first.done()) first.set_result();
    //@end
}

} // namespace aio
