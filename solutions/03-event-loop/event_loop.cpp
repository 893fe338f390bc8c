// The event loop's life cycle and scheduling: construction, call_soon and the
// timers, run_forever/stop, close, and the running loop of each thread
// (asyncio: BaseEventLoop in base_events.py, _get_running_loop in events.py).
#include "event_loop.hpp"

namespace aio {

namespace {
// The only global state of the kit: the loop running in this thread, if any
// (asyncio: events._running_loop, a threading.local).
thread_local EventLoop* running_loop_of_thread = nullptr;
} // namespace

EventLoop& get_running_loop() {
    //@scratch ch03.get_running_loop
    //@exercise ch03.get_running_loop  Return the loop running in this thread, or throw.
    if (running_loop_of_thread == nullptr) throw RuntimeError("no running event loop");
    return *running_loop_of_thread;
    //@end
    //@end
}

EventLoop* detail::running_loop() noexcept {
    return running_loop_of_thread;
}

// Marks the loop as running in this thread for the lifetime of the scope
// (asyncio: _run_forever_setup / _run_forever_cleanup).
class EventLoop::RunningScope {
public:
    RunningScope(EventLoop& loop, bool forever) : loop_(loop), forever_(forever) {
        //@scratch ch03.running_scope
        //@exercise ch03.running_scope  Refuse a closed or busy loop or thread; mark it running.
        loop.check_closed();
        if (loop.is_running()) throw RuntimeError("This event loop is already running");
        if (running_loop_of_thread != nullptr)
            throw RuntimeError("Cannot run the event loop while another loop is running");
        loop.thread_id_ = std::this_thread::get_id();
        running_loop_of_thread = &loop;
        //@end
        //@end
    }
    ~RunningScope() {
        loop_.ready_.check();
        if (forever_) loop_.stopping_ = false;
        loop_.thread_id_ = std::thread::id{};
        running_loop_of_thread = nullptr;
    }
    RunningScope(const RunningScope&) = delete;
    RunningScope& operator=(const RunningScope&) = delete;

private:
    EventLoop& loop_;
    bool forever_;
};

EventLoop::EventLoop(LoopOptions options)
    : LoopHooks(*this),
      own_clock_(options.clock == nullptr ? std::make_unique<SteadyClock>() : nullptr),
      clock_(options.clock != nullptr ? options.clock : own_clock_.get()),
      virtual_clock_(dynamic_cast<VirtualClock*>(clock_)),
      selector_(make_selector(options.selector)), debug_(options.debug),
      slow_callback_duration_(options.slow_callback_duration) {
    // The wake-up fd is a reader like any other, but with no watcher: its null
    // data pointer tells queue_io_callbacks apart from the fds of add_reader.
    selector_->register_fd(wakeup_.fd(), EVENT_READ, nullptr);
}

EventLoop::~EventLoop() {
    expire_lifetime();    // first: whatever the teardown destroys sees an expired loop
    destroy_extensions(); // also those created after an earlier close()
    close();              // a running loop cannot be destroyed: close() would throw, and terminate
}

Handle EventLoop::call_soon(Callback cb) {
    //@scratch ch03.call_soon
    //@exercise ch03.call_soon  Refuse bad calls; queue cb behind earlier posts; return its Handle.
    check_closed();
    if (debug_) check_thread();
    if (!cb) throw ValueError("call_soon: the callback is empty");
    // A post from another thread that happened before this call runs first, as
    // in asyncio's single _ready deque. The hot path pays one atomic load; the
    // lock in take_posted() orders everything else.
    if (has_posts_.load(std::memory_order_relaxed)) take_posted();
    return Handle(&ready_, ready_.push(std::move(cb)));
    //@end
    //@end
}

TimerHandle EventLoop::call_later(Duration delay, Callback cb) {
    return call_at(time() + delay, std::move(cb));
}

TimerHandle EventLoop::call_at(TimePoint when, Callback cb) {
    //@scratch ch03.call_at
    //@exercise ch03.call_at  Refuse a closed loop (or a foreign thread in debug); arm a timer.
    check_closed();
    if (debug_) check_thread();
    return timers_.push(when, std::move(cb)); // ValueError for an empty callback
    //@end
    //@end
}

TimePoint EventLoop::time() const {
    return clock_->now();
}

void EventLoop::run_once() {
    RunningScope running(*this, false);
    run_iteration();
}

void EventLoop::run_forever() {
    //@scratch ch03.run_forever
    //@exercise ch03.run_forever  Run passes, the loop marked running, until a stop is requested.
    RunningScope running(*this, true);
    for (;;) {
        run_iteration();
        if (stopping_) break; // checked after the pass: stop() lets the current pass finish
    }
    //@end
    //@end
}

// asyncio: BaseEventLoop.stop. Only a flag: the pass that is running finishes,
// and compute_timeout() sees the flag, so that pass does not block.
void EventLoop::stop() {
    //@scratch ch03.stop
    //@exercise ch03.stop  Request the stop; do nothing else.
    stopping_ = true;
    //@end
    //@end
}

bool EventLoop::is_running() const {
    return thread_id_.load() != std::thread::id{};
}

bool EventLoop::is_closed() const {
    return closed_;
}

// asyncio: BaseEventLoop.close (and BaseSelectorEventLoop.close for the fds).
// The extensions go first, while the loop still works: a later chapter's state
// may hold tasks whose destructors need the loop. Then the queues are moved out
// before they are destroyed, so a destructor that looks at the loop finds it
// closed and empty rather than half torn down.
void EventLoop::close() {
    if (is_running()) throw RuntimeError("Cannot close a running event loop");
    if (closed_) return;
    destroy_extensions();
    std::vector<Callback> posted;
    {
        std::lock_guard<std::mutex> lock(posted_mutex_);
        closed_ = true;
        posted.swap(posted_);
        has_posts_ = false;
    }
    TimerQueue timers = std::move(timers_);
    timers_ = TimerQueue{};
    ready_.clear();
    drop_watchers();
}

void EventLoop::set_debug(bool on) {
    debug_ = on;
}
bool EventLoop::get_debug() const {
    return debug_;
}

void EventLoop::check_closed() const {
    if (closed_) throw RuntimeError("Event loop is closed"); // asyncio: _check_closed
}

// asyncio: _check_thread. Only while the loop runs: before run_forever any
// thread may prepare the loop.
void EventLoop::check_thread() const {
    //@scratch ch03.check_thread
    //@exercise ch03.check_thread  While the loop runs, refuse a caller from another thread.
    std::thread::id owner = thread_id_.load();
    if (owner != std::thread::id{} && owner != std::this_thread::get_id())
        throw RuntimeError("Non-thread-safe operation invoked on an event loop other than the "
                           "current one");
    //@end
    //@end
}

} // namespace aio
