// The event loop: one thread runs callbacks, timers and I/O readiness in
// iterations of run_once (asyncio: BaseEventLoop and BaseSelectorEventLoop).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "aio_base.hpp"
#include "clock.hpp"
#include "handle.hpp"
#include "loop_hooks.hpp"
#include "ready_queue.hpp"
#include "selector.hpp"
#include "timers.hpp"
#include "wakeup.hpp"

namespace aio {

struct LoopOptions {
    std::string_view selector = "default"; // make_selector's name: "select", "poll", "epoll"
    ClockSource* clock = nullptr; // nullptr: SteadyClock. With a VirtualClock, an idle loop
                                  // jumps virtual time to the next deadline instead of sleeping.
    bool debug = false;           // see set_debug()
    // Debug mode reports a callback that ran at least this long, on the loop's
    // clock (asyncio: loop.slow_callback_duration, 0.1 s).
    Duration slow_callback_duration = std::chrono::milliseconds(100);
};

// What the exception handler receives (asyncio: the context dict, its
// 'message' and 'exception' keys). exception is null for a report that is not
// an error, such as debug mode's slow-callback warning.
struct ExceptionContext {
    std::string message;
    std::exception_ptr exception;
};

namespace detail {
struct LoopTestAccess; // defined by the tests only

// An fd's reader and writer. Both share ONE selector registration whose data
// pointer is this record (asyncio keeps the (reader, writer) pair in key.data).
// An id is nonzero while its callback is registered; every add_* gets a fresh
// one, so an event collected for an earlier registration is recognised as stale.
// The callbacks sit behind shared_ptrs so that one that removes itself while it
// runs stays alive until it returns (asyncio's Handle objects are shared the same way).
struct IoWatcher {
    std::shared_ptr<Callback> reader, writer;
    std::uint32_t reader_id = 0, writer_id = 0;

    unsigned interest() const {
        return (reader_id != 0 ? EVENT_READ : 0u) | (writer_id != 0 ? EVENT_WRITE : 0u);
    }
};

} // namespace detail

// The hooks later chapters use (extension<T>(), lifetime(), set_tracer()) come
// from LoopHooks, given code in loop_hooks.hpp.
class EventLoop : public LoopHooks {
public:
    explicit EventLoop(LoopOptions options = {});
    ~EventLoop(); // closes the loop; must not be running
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    // Scheduling. All of these throw RuntimeError "Event loop is closed" after
    // close(), and ValueError for an empty callback.
    //
    // call_soon: FIFO; callbacks added while an iteration runs wait for the next one.
    Handle call_soon(Callback cb);
    // From any thread; wakes a blocked select through an eventfd/self-pipe.
    // FIFO with call_soon, as in asyncio's one ready queue: a post that happens
    // before a call_soon (same thread, or a joined thread) runs before it.
    Handle call_soon_threadsafe(Callback cb);
    TimerHandle call_later(Duration delay, Callback cb);
    TimerHandle call_at(TimePoint when, Callback cb);
    TimePoint time() const; // the loop's clock

    // I/O readiness, level-triggered: the callback runs on every iteration in
    // which fd is readable (writable) until it is removed. One reader and one
    // writer per fd. add_*: ValueError for fd < 0 (and whatever the selector
    // rejects); replaces an existing callback. remove_*: false if there was none.
    void add_reader(int fd, Callback cb);
    bool remove_reader(int fd);
    void add_writer(int fd, Callback cb);
    bool remove_writer(int fd);

    // One iteration of BaseEventLoop._run_once; the loop counts as running
    // meanwhile. RuntimeError if closed or already running. Blocks when nothing
    // is ready and no timer is set.
    void run_once();
    // Until stop(); RuntimeError if already running or another loop runs in this thread.
    void run_forever();
    // The current iteration finishes, then run_forever returns. From another
    // thread: call_soon_threadsafe([&] { loop.stop(); }).
    void stop();
    bool is_running() const;
    bool is_closed() const;
    // RuntimeError if running; drops queued callbacks, timers and readers; later
    // scheduling throws RuntimeError, remove_* return false. Idempotent.
    void close();

    using ExceptionHandler = std::function<void(EventLoop&, const ExceptionContext&)>;
    void set_exception_handler(ExceptionHandler handler); // nullptr: the default
    // The default handler writes to stderr; a handler that throws falls back to
    // the default, and the loop goes on.
    void call_exception_handler(const ExceptionContext& context);
    // What the default does, for handlers that want to defer to it.
    void default_exception_handler(const ExceptionContext& context);

    // Debug mode (asyncio: loop.set_debug). While the loop runs, call_soon and
    // call_at from another thread throw RuntimeError; a callback that runs
    // slow_callback_duration or longer is reported through the exception
    // handler, exception null, message "Executing <Handle> took 0.300 seconds"
    // (<Handle>: handle_repr(), which chapter 13 makes name a task's step).
    void set_debug(bool on);
    bool get_debug() const;

private:
    class RunningScope; // marks the loop as running in this thread (event_loop.cpp)
    friend struct detail::LoopTestAccess; // tests only: the phases one at a time

    // run_once's phases (run_once.cpp)
    void run_iteration();
    void purge_cancelled_timers();
    std::optional<Duration> compute_timeout();
    std::vector<ReadyEvent> poll_io(std::optional<Duration> timeout);
    // Always false here (poll_shortcut.cpp); chapter 14's fast loop says when a
    // pass's poll cannot find anything, and skips it.
    bool poll_would_find_nothing(std::optional<Duration> timeout) const;
    std::size_t queue_io_callbacks(const std::vector<ReadyEvent>& events); // returns posted
    std::size_t queue_due_timers();
    std::size_t run_ready(std::size_t ntodo);
    void run_callback(Callback& callback);

    // I/O (io_watchers.cpp)
    void add_watcher(int fd, Callback cb, bool reading);
    bool remove_watcher(int fd, bool reading);
    void dispatch_io(int fd, std::uint32_t id);
    void check_watcher(int fd) const; // asserts the bookkeeping of fd's watcher
    void drop_watchers();

    // The thread-safe queue (threadsafe.cpp)
    std::size_t take_posted();
    std::size_t answer_wakeup();

    void check_closed() const;
    void check_thread() const; // debug mode: the caller must be the loop's thread

    // Every field below belongs to the loop's thread, except the block marked
    // "thread-safe queue" (its mutex guards it) and thread_id_ (atomic).
    std::unique_ptr<ClockSource> own_clock_; // the SteadyClock when options.clock is null
    ClockSource* clock_;
    VirtualClock* virtual_clock_; // == clock_ when it is a VirtualClock, else null
    std::unique_ptr<Selector> selector_;
    detail::ReadyQueue ready_;  // asyncio: _ready
    TimerQueue timers_;         // asyncio: _scheduled
    std::vector<Callback> due_; // scratch for pop_due, kept to reuse its capacity
    std::unordered_map<int, detail::IoWatcher> watchers_; // node-based: the selector's data
                                                          // pointers stay valid
    std::uint32_t next_io_id_ = 1;
    detail::Wakeup wakeup_;
    bool stopping_ = false;
    bool closed_ = false; // written under posted_mutex_, so other threads read it there
    bool debug_;
    Duration slow_callback_duration_;
    std::atomic<std::thread::id> thread_id_{}; // the running thread; id{} when not running
    ExceptionHandler exception_handler_;

    // The thread-safe queue: the ONE part of the loop other threads touch.
    // posted_mutex_ guards posted_ and wake_pending_; has_posts_ is written under
    // it too, and read without it by call_soon (one atomic load on the hot path).
    std::mutex posted_mutex_;
    std::vector<Callback> posted_;
    bool wake_pending_ = false; // a wake-up is written and not yet drained: N posts, one write
    std::atomic<bool> has_posts_{false}; // posted_ is not empty
    std::vector<Callback> taking_;       // loop thread: posted_ is swapped in here, under the lock
};

// The loop running in this thread (asyncio.get_running_loop); RuntimeError
// "no running event loop" when none is.
EventLoop& get_running_loop();

namespace detail {
EventLoop* running_loop() noexcept; // the same, nullptr when none (asyncio: _get_running_loop)
} // namespace detail

} // namespace aio
