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
#include <typeindex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "aio_base.hpp"
#include "clock.hpp"
#include "handle.hpp"
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

// One iteration as the optional tracer sees it (set_tracer; the demo prints it).
struct IterationTrace {
    std::size_t ready = 0;           // callbacks ready when the pass began
    std::optional<Duration> timeout; // what select() was given; nullopt: block
    std::vector<ReadyEvent> events;  // what select() returned (the wake-up fd left out)
    std::size_t posted = 0;          // callbacks taken from the thread-safe queue
    std::size_t timers_due = 0;      // timers that moved to the ready queue
    std::size_t ran = 0;             // callbacks run (cancelled call_soon ones skipped)
};

namespace detail {
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

// A state object of a later chapter, owned by the loop (see extension()).
struct Extension {
    std::type_index type;
    std::unique_ptr<void, void (*)(void*)> object;
};
} // namespace detail

class EventLoop {
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
    // handler, exception null, message "Executing <Handle> took 0.300 seconds".
    void set_debug(bool on);
    bool get_debug() const;

    // --- Hooks for later chapters and the demo (given code) ---

    // Per-loop state of a later chapter (05: the live tasks and the current
    // task; 09: the default executor), as asyncio keeps such state in loop
    // attributes. Created on first use as T(EventLoop&), owned by the loop, and
    // destroyed in reverse order of creation FIRST in ~EventLoop and in close(),
    // before the queued callbacks and timers are dropped. Loop thread only.
    template <class T>
    T& extension();

    // Expires when the loop is destroyed (first thing in ~EventLoop): a future
    // that outlives its loop checks it before reporting to the exception handler.
    std::weak_ptr<const void> lifetime() const { return lifetime_; }

    // Called at the end of every iteration with what it did; nullptr: none.
    void set_tracer(std::function<void(const IterationTrace&)> tracer);

private:
    class RunningScope; // marks the loop as running in this thread (event_loop.cpp)

    // run_once's phases (run_once.cpp)
    void run_iteration();
    void purge_cancelled_timers();
    std::optional<Duration> compute_timeout();
    std::vector<ReadyEvent> poll_io(std::optional<Duration> timeout);
    std::size_t queue_io_callbacks(const std::vector<ReadyEvent>& events); // returns posted
    std::size_t queue_due_timers();
    std::size_t run_ready(std::size_t ntodo);
    void run_callback(Callback& callback);

    // I/O (io_watchers.cpp)
    void add_watcher(int fd, Callback cb, bool reading, const char* caller);
    bool remove_watcher(int fd, bool reading);
    void dispatch_io(int fd, std::uint32_t id);
    std::uint32_t new_io_id();
    void drop_watchers();

    // The thread-safe queue (threadsafe.cpp)
    std::size_t take_posted();

    void check_closed() const;
    void check_thread() const; // debug mode: the caller must be the loop's thread
    void report_slow_callback(Duration took);
    void destroy_extensions();

    // Every field below belongs to the loop's thread, except the block marked
    // "thread-safe queue" (its mutex guards it) and thread_id_ (atomic).
    std::shared_ptr<const void> lifetime_;
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
    std::function<void(const IterationTrace&)> tracer_;
    std::vector<detail::Extension> extensions_;

    // The thread-safe queue: the ONE part of the loop other threads touch.
    // posted_mutex_ guards posted_ and wake_pending_.
    std::mutex posted_mutex_;
    std::vector<Callback> posted_;
    bool wake_pending_ = false;    // a wake-up is written and not yet drained: N posts, one write
    std::vector<Callback> taking_; // loop thread: posted_ is swapped in here, under the lock
};

// The loop running in this thread (asyncio.get_running_loop); RuntimeError
// "no running event loop" when none is.
EventLoop& get_running_loop();

namespace detail {
EventLoop* running_loop() noexcept; // the same, nullptr when none (asyncio: _get_running_loop)
} // namespace detail

template <class T>
T& EventLoop::extension() {
    for (auto& extension : extensions_)
        if (extension.type == std::type_index(typeid(T)))
            return *static_cast<T*>(extension.object.get());
    auto object = std::make_unique<T>(*this); // may create other extensions: no iterator is held
    T& created = *object;
    extensions_.push_back(
        detail::Extension{std::type_index(typeid(T)),
                          {object.release(), [](void* p) { delete static_cast<T*>(p); }}});
    return created;
}

} // namespace aio
