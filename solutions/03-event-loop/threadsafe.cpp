// Scheduling from other threads: the one mutex-protected queue and the wake-up
// that interrupts a blocked select() (asyncio: call_soon_threadsafe, _write_to_self).
#include "event_loop.hpp"

namespace aio {

// Any thread. The callback goes to posted_, not to ready_: ready_ belongs to the
// loop's thread. The wake-up is written only when none is pending, so N posts
// between two passes cost one write(), not N. It is written under the lock, so
// that close() (which sets closed_ under the same lock) cannot slip in between.
Handle EventLoop::call_soon_threadsafe(Callback cb) {
    if (!cb) throw ValueError("call_soon_threadsafe: the callback is empty");
    // Another thread may cancel this Handle while the callback waits in ready_,
    // so it cancels through a shared flag, which the callback checks as it runs
    // (asyncio: _ThreadSafeHandle). The ready queue stays plain callbacks.
    auto flag = std::make_shared<std::atomic<bool>>(false);
    Callback checked = [flag, cb = std::move(cb)] {
        if (!flag->load()) cb();
    };
    //@exercise ch03.call_soon_threadsafe  Locked: check closed, append, notify once per batch.
    std::lock_guard<std::mutex> lock(posted_mutex_);
    if (closed_) throw RuntimeError("Event loop is closed");
    posted_.push_back(std::move(checked));
    if (!wake_pending_) {
        wake_pending_ = true;
        wakeup_.notify();
    }
    //@end
    return Handle(std::move(flag));
}

// The loop's thread, when the wake-up fd was readable: moves the posted
// callbacks to the back of the ready queue (they run in this pass, as in asyncio,
// where call_soon_threadsafe appends to _ready directly).
//
// The order is what prevents a lost wake-up: drain the fd FIRST, then take the
// queue and clear wake_pending_ under the lock. A post that lands after the drain
// either finds wake_pending_ still set, and its callback is in the batch we take,
// or finds it clear and writes a new wake-up. Clearing the flag before draining
// would let a drain swallow the write of a post we did not take: that post would
// wait, unseen, while select() blocks.
std::size_t EventLoop::take_posted() {
    wakeup_.drain();
    {
        std::lock_guard<std::mutex> lock(posted_mutex_);
        taking_.swap(posted_);
        wake_pending_ = false;
    }
    std::size_t taken = taking_.size();
    for (Callback& callback : taking_)
        ready_.push(std::move(callback));
    taking_.clear(); // keeps its capacity: posted_ gets it back on the next swap
    return taken;
}

} // namespace aio
