// Event: a flag and the futures of everyone waiting for it (asyncio: locks.Event).
#include "locks.hpp"

namespace aio {

Coro<void> Event::wait() {
    //@exercise ch07.event_wait  Return at once when set; else wait in the queue until set() wakes
    // you.
    if (value_) co_return;
    detail::WaiterSlot slot(waiters_, binding_.get());
    co_await slot.future();
    //@end
}

void Event::set() {
    //@exercise ch07.event_set  Set the flag once and wake every waiter that is still pending.
    if (value_) return;
    value_ = true;
    for (Future<void>& waiter : waiters_)
        if (!waiter.done()) waiter.set_result();
    //@end
}

} // namespace aio
