// Scheduling from other threads: the one mutex-protected queue and the wake-up
// that interrupts a blocked select() (asyncio: call_soon_threadsafe, _write_to_self).
#include "event_loop.hpp"

namespace aio {

// Any thread. The callback goes to posted_, not to ready_: ready_ belongs to the
// loop's thread. The wake-up is written only when none is pending, so N posts
// between two passes cost one write(), not N. It is written under the lock, so
// that close() (which sets closed_ under the same lock) cannot slip in between,
// and before the push, so that a failed write leaves nothing half done.
Handle EventLoop::call_soon_threadsafe(Callback cb) {
    //@scratch ch03.call_soon_threadsafe
    //@exercise ch03.call_soon_threadsafe  Post cb, cancellable from any thread; wake the loop.
    if (!cb) throw ValueError("call_soon_threadsafe: the callback is empty");
    // Another thread may cancel this Handle while the callback waits in ready_,
    // so it cancels through a shared flag, which the callback checks as it runs
    // (asyncio: _ThreadSafeHandle). The ready queue stays plain callbacks.
    auto flag = std::make_shared<std::atomic<bool>>(false);
    Callback checked = [flag, cb = std::move(cb)] {
        if (!flag->load()) cb();
    };
    std::lock_guard<std::mutex> lock(posted_mutex_);
    if (closed_) throw RuntimeError("Event loop is closed");
    if (!wake_pending_) {
        wakeup_.notify(); // throws std::system_error on a broken fd: nothing changed yet
        wake_pending_ = true;
    }
    posted_.push_back(std::move(checked));
    has_posts_.store(true, std::memory_order_relaxed);
    return Handle(std::move(flag));
    //@end
    //@end
}

// The loop's thread: moves every posted callback to the back of the ready queue,
// in the order they were posted. Called by call_soon when has_posts_ says there
// are any (so that a post made before a call_soon runs before it), and by
// answer_wakeup. The wake-up fd is not touched: if it is still readable, the
// next select() returns at once and finds nothing posted, which is harmless.
std::size_t EventLoop::take_posted() {
    //@scratch ch03.take_posted
    //@exercise ch03.take_posted  Move every posted callback, in order, to the ready queue.
    {
        std::lock_guard<std::mutex> lock(posted_mutex_);
        taking_.swap(posted_);
        has_posts_.store(false, std::memory_order_relaxed);
    }
    std::size_t taken = taking_.size();
    for (Callback& callback : taking_)
        ready_.push(std::move(callback));
    taking_.clear(); // keeps its capacity: posted_ gets it back on the next swap
    return taken;
    //@end
    //@end
}

// The loop's thread, when the wake-up fd was readable: consume the wake-up, then
// take the posts (they run in this pass, as in asyncio, where
// call_soon_threadsafe appends to _ready directly).
//
// The order is what prevents a lost wake-up: drain the fd FIRST, then clear
// wake_pending_ under the lock, then take the queue. A post that lands after the
// drain either finds wake_pending_ still set, and its callback is in the batch
// we take, or finds it clear and writes a new wake-up. Clearing the flag before
// draining would let a drain swallow the write of a post that landed in between:
// the flag would then say "pending" with the fd empty, the next post would write
// nothing, and its callback would wait, unseen, while select() blocks.
std::size_t EventLoop::answer_wakeup() {
    //@scratch ch03.answer_wakeup
    //@exercise ch03.answer_wakeup  Consume the wake-up, then take the posts; lose no wake-up.
    wakeup_.drain();
    {
        std::lock_guard<std::mutex> lock(posted_mutex_);
        wake_pending_ = false;
    }
    return take_posted();
    //@end
    //@end
}

} // namespace aio
