// The fast loop's answer to "may this pass skip its poll?": chapter 03's
// poll_shortcut.cpp, which always says no, replaced. libuv makes the same
// shortcut: its uv_run does not poll at all when nothing is being watched.
#include "event_loop.hpp"

namespace aio {

// A pass that may not wait (callbacks are ready, or a timer is due) and has
// nothing to look at (no fd is watched but the loop's own wake-up fd, and no
// other thread has posted) can learn nothing from the selector: one syscall
// saved per pass. B1's 1,000-callback passes make one each on the reference.
bool EventLoop::poll_would_find_nothing(std::optional<Duration> timeout) const {
    //@exercise ch14.skip_idle_poll  Say whether this pass's poll can be skipped: it may not wait, and nothing can be found.
    //@stub return false; // always poll: correct, one syscall per pass
    bool may_not_wait = timeout && *timeout <= Duration::zero();
    bool watches_only_wakeup = selector_->size() == 1;
    return may_not_wait && watches_only_wakeup && !has_posts_.load(std::memory_order_relaxed);
    //@end
}

} // namespace aio
