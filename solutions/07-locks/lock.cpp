// Lock: a flag and a FIFO of waiter futures; release() wakes the first
// waiter, who takes the lock when it runs (asyncio: locks.Lock).
#include <algorithm>
#include <exception>

#include "locks.hpp"

namespace aio {

Coro<void> Lock::acquire() {
    //@scratch ch07.lock_acquire ch07.lock_cancel
    std::exception_ptr cancelled; // set when the wait below ends in a CancelledError
    //@exercise ch07.lock_acquire  Fast path if free, no live waiter; else wait in line.
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
        //@exercise ch07.lock_cancel  Lock free? Pass the wake-up on. Then rethrow.
        if (!locked_) wake_up_first();
        std::rethrow_exception(cancelled);
        //@end
    }
    locked_ = true;
    //@end
}

void Lock::release() {
    //@scratch ch07.lock_release
    //@exercise ch07.lock_release  Refuse an unlocked lock; else unlock, wake the first.
    if (!locked_) throw RuntimeError("Lock is not acquired.");
    locked_ = false;
    wake_up_first();
    //@end
    //@end
}

// Only the head is woken: it takes the lock when it runs. A head that is
// done already (woken, or cancelled) will wake the next one itself on its
// way out (lock_cancel), so looking further here would wake two.
void Lock::wake_up_first() {
    //@scratch ch07.lock_wake
    //@exercise ch07.lock_wake  Wake the oldest waiter unless it is done already.
    if (waiters_.empty()) return;
    Future<void> first = *waiters_.begin();
    if (!first.done()) first.set_result();
    //@end
    //@end
}

} // namespace aio
