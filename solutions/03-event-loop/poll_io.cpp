// The one place the loop asks the selector for I/O: run_once's poll phase
// (asyncio: the `event_list = self._selector.select(timeout)` line of
// _run_once). A file of its own so that a faster loop (chapter 14) can replace
// just this phase.
#include "event_loop.hpp"

namespace aio {

// select(), except that with a VirtualClock the loop never sleeps: when the pass
// would wait and a zero-timeout select finds no I/O, virtual time jumps exactly to
// the earliest live deadline, which is then due. With no deadline at all there is
// nothing to jump to, and the loop blocks for real, waiting for I/O or a post.
std::vector<ReadyEvent> EventLoop::poll_io(std::optional<Duration> timeout) {
    //@scratch ch03.poll_io
    //@exercise ch03.poll_io  Select; on a VirtualClock jump time instead of sleeping.
    bool would_wait = !timeout || *timeout > Duration::zero();
    if (virtual_clock_ == nullptr || !would_wait) return selector_->select(timeout);
    std::vector<ReadyEvent> events = selector_->select(Duration::zero());
    if (!events.empty()) return events;
    std::optional<TimePoint> next = timers_.next_deadline();
    if (!next) return selector_->select(std::nullopt);
    virtual_clock_->advance_to(*next);
    return events;
    //@end
    //@end
}

} // namespace aio
