// One iteration of the loop as a list of named phases (asyncio: BaseEventLoop._run_once;
// libuv's uv_run reads the same way).
#include <algorithm>
#include <cstdio>

#include "event_loop.hpp"

namespace aio {

namespace {
// asyncio: MAXIMUM_SELECT_TIMEOUT. A deadline days away still wakes the loop
// once a day, and no selector has to convert a huge duration.
constexpr Duration maximum_select_timeout = std::chrono::hours(24);
} // namespace

void EventLoop::run_iteration() {
    //@scratch ch03.run_iteration
    //@exercise ch03.run_iteration  Run one pass: the phases in order, each result in the trace.
    IterationTrace trace;
    std::vector<ReadyEvent> events;
    trace.ready = ready_.size();
    purge_cancelled_timers();
    trace.timeout = compute_timeout();
    events = poll_io(trace.timeout);
    trace.posted = queue_io_callbacks(events);
    trace.timers_due = queue_due_timers();
    // Run only what is queued now, I/O and timers included: a callback that
    // keeps re-scheduling itself must not starve them (asyncio: _run_once's ntodo).
    trace.ran = run_ready(ready_.size());
    if (!tracing()) return;
    std::erase_if(events, [](const ReadyEvent& event) { return event.data == nullptr; });
    trace.events = std::move(events); // the program's fds only, not the wake-up fd
    report_iteration(trace);
    //@end
    //@end
}

// Drops cancelled timers off the top of the heap, and compacts a heap that is
// mostly cancelled (asyncio: the first block of _run_once). TimerQueue does the
// work: next_deadline() purges before it answers.
void EventLoop::purge_cancelled_timers() {
    timers_.next_deadline();
}

// How long select() may block (asyncio: the `timeout` computation of _run_once).
std::optional<Duration> EventLoop::compute_timeout() {
    //@scratch ch03.compute_timeout
    //@exercise ch03.compute_timeout  Say how long select() may wait: 0, to a timer, or forever.
    std::optional<TimePoint> next = timers_.next_deadline();
    if (!ready_.empty() || stopping_) return Duration::zero();
    if (!next) return std::nullopt;
    return std::clamp(*next - time(), Duration::zero(), maximum_select_timeout);
    //@end
    //@end
}

// select(), except that with a VirtualClock the loop never sleeps: when the pass
// would wait and a zero-timeout select finds no I/O, virtual time jumps exactly to
// the earliest live deadline, which is then due. With no deadline at all there is
// nothing to jump to, and the loop blocks for real, waiting for I/O or a post.
std::vector<ReadyEvent> EventLoop::poll_io(std::optional<Duration> timeout) {
    if (poll_would_find_nothing(timeout)) return {}; // never here; see poll_shortcut.cpp
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

// Moves the timers that are due to the back of the ready queue, earliest first
// (asyncio: the "Handle 'later' callbacks that are ready" loop of _run_once).
std::size_t EventLoop::queue_due_timers() {
    //@scratch ch03.queue_due_timers
    //@exercise ch03.queue_due_timers  Move every due timer, earliest first, to the ready queue.
    due_.clear();
    std::size_t due = timers_.pop_due(time(), due_);
    for (Callback& callback : due_)
        ready_.push(std::move(callback));
    due_.clear();
    return due;
    //@end
    //@end
}

// Runs the first ntodo entries of the ready queue: callbacks they add go behind
// them and wait for the next pass, after another look at I/O.
std::size_t EventLoop::run_ready(std::size_t ntodo) {
    //@scratch ch03.run_ready
    //@exercise ch03.run_ready  Run the first ntodo queued entries, skipping cancelled ones.
    std::size_t ran = 0;
    for (; ntodo > 0; --ntodo) {
        Callback callback = ready_.pop(); // moved out: the queue may grow while it runs
        if (!callback) continue;          // cancelled
        run_callback(callback);
        ++ran;
    }
    return ran;
    //@end
    //@end
}

// asyncio: Handle._run, and the debug-mode timing in _run_once. An exception
// goes to the handler and the loop goes on: no other callback is lost.
void EventLoop::run_callback(Callback& callback) {
    ObservedCallback observed(callback_observer()); // chapter 13's tracer; none: one branch
    //@scratch ch03.run_callback
    //@exercise ch03.run_callback  Run a callback; report its exception, and (debug) slowness.
    TimePoint started = debug_ ? time() : TimePoint{};
    try {
        callback();
    } catch (...) {
        call_exception_handler({"Exception in callback", std::current_exception()});
    }
    if (!debug_) return;
    Duration took = time() - started;
    if (took < slow_callback_duration_) return;
    char message[256]; // asyncio: logger.warning('Executing %s took %.3f seconds', ...)
    std::snprintf(message, sizeof message, "Executing %s took %.3f seconds", handle_repr().c_str(),
                  std::chrono::duration<double>(took).count());
    call_exception_handler({message, nullptr}); // a warning: no exception
    //@end
    //@end
}

} // namespace aio
