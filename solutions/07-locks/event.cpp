// Event: a flag and the futures of everyone waiting for it (asyncio: locks.Event).
#include "locks.hpp"

namespace aio {

Coro<void> Event::wait() {
    //@scratch ch07.event_wait
    //@exercise ch07.event_wait  Return if set; else wait until set() wakes you.
    if (value_) co_return;
    detail::WaiterSlot slot(waiters_, binding_.get());
    co_await slot.future();
    //@end
    //@end
}

void Event::set() {
    //@scratch ch07.event_set
    //@exercise ch07.event_set  Set the flag once; wake every pending waiter.
    if (value_) return;
    value_ = true;
    for (Future<void>& waiter : waiters_)
        if (!waiter.done()) waiter.set_result();
    //@end
    //@end
}

} // namespace aio
