// From a worker thread back to the loop: run_in_executor and to_thread
// (asyncio: loop.run_in_executor, futures.wrap_future, asyncio.to_thread).
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "event_loop.hpp"
#include "executor.hpp"
#include "future.hpp"
#include "task.hpp"

namespace aio {

namespace detail {

// A worker's only way back to a loop. The loop cuts the link when it closes
// (and before it is destroyed), under the mutex, so an outcome that arrives
// later is dropped and never touches a closed or destroyed loop.
class LoopLink {
public:
    explicit LoopLink(EventLoop& loop) : loop_(&loop) {}
    // Any thread: call_soon_threadsafe on the loop; false (callback dropped)
    // once the link is cut or the loop is closed.
    bool post(Callback callback);
    void cut(); // the loop's thread, when it closes

private:
    std::mutex mutex_; // held while posting, so cut() waits for a post under way
    EventLoop* loop_;  // null once cut
};

// The race every call settles exactly once: a worker starting it against the
// loop cancelling it (concurrent.futures: set_running_or_notify_cancel).
class CallState {
public:
    bool try_start() { return claim(RUNNING); }    // worker: false if cancelled first
    bool try_cancel() { return claim(CANCELLED); } // loop or shutdown: false if started
    bool cancelled() const { return phase_.load() == CANCELLED; }

private:
    enum Phase { QUEUED, RUNNING, CANCELLED };
    bool claim(Phase to) {
        int expected = QUEUED;
        return phase_.compare_exchange_strong(expected, to);
    }
    std::atomic<int> phase_{QUEUED};
};

// One call to run_in_executor, shared by its worker and its loop. The worker
// writes the outcome, then posts; the loop reads it in the posted callback.
// The mutex inside call_soon_threadsafe orders the two: no other lock needed.
// It holds no Future: futures belong to the loop's thread.
template <class F>
class Call {
public:
    using R = std::invoke_result_t<F>;
    explicit Call(F fn) : fn_(std::move(fn)) {}

    // On a worker. False when the loop cancelled the call before it started
    // (it never runs); otherwise runs fn and keeps its value or exception.
    bool run() {
        //@scratch ch09.run_call
        //@exercise ch09.run_call  Claim the call or give up; run it, keep its outcome; never throw.
        if (!state.try_start()) return false;
        try {
            if constexpr (std::is_void_v<R>) {
                fn_();
                value_.emplace();
            } else {
                value_.emplace(fn_());
            }
        } catch (...) {
            error_ = std::current_exception();
        }
        return true;
        //@end
        //@end
    }

    // On the loop's thread, after run() (or after a cancel by shutdown): the
    // outcome goes into the future, unless the future is already done.
    void settle(Future<R>& future) {
        //@scratch ch09.settle
        //@exercise ch09.settle  The call's outcome into the future, unless the program gave up on it.
        if (future.done()) return; // cancelled by the program meanwhile: dropped
        if (state.cancelled()) {
            future.cancel();
        } else if (error_) {
            // Moved, not copied: the worker drops its half of the call later,
            // on its own thread; a copy would leave the exception shared by
            // two threads with nothing ordering its release.
            future.set_exception(std::move(error_));
        } else if constexpr (std::is_void_v<R>) {
            future.set_result();
        } else {
            future.set_result(std::move(*value_));
        }
        //@end
        //@end
    }

    CallState state;

private:
    F fn_;
    std::optional<FutureValue<R>> value_; // written by the worker before it posts
    std::exception_ptr error_;
};

// The loop's side, one per loop (a loop extension): the default executor, the
// link its workers post through, and the loop-side half of every call in
// flight, by id (the settle closure holds the Future; the worker holds the id).
class ExecutorBridge {
public:
    explicit ExecutorBridge(EventLoop& loop);
    // At close() and ~EventLoop: cut the link, then shut the default executor
    // down (wait=true, cancel_futures=true), as asyncio's loop.close() does.
    ~ExecutorBridge();
    ExecutorBridge(const ExecutorBridge&) = delete;
    ExecutorBridge& operator=(const ExecutorBridge&) = delete;

    ThreadPoolExecutor& default_executor(); // made on first use
    const std::shared_ptr<LoopLink>& link() const { return link_; }

    std::uint64_t add(Callback settle); // the loop-side half of a new call
    void settle(std::uint64_t id);      // posted by the worker: run it and forget it
    void forget(std::uint64_t id) { waiting_.erase(id); }
    std::size_t in_flight() const { return waiting_.size(); }

private:
    std::shared_ptr<LoopLink> link_;
    std::unique_ptr<ThreadPoolExecutor> default_executor_;
    std::unordered_map<std::uint64_t, Callback> waiting_;
    std::uint64_t next_id_ = 1;
};

} // namespace detail

// asyncio: loop.run_in_executor(executor, fn). Runs fn() on a worker of the
// executor (nullptr: the loop's default executor) and returns a Future of its
// result, completed on the loop's thread. Cancelling the future cancels a call
// that has not started (it never runs) and drops the outcome of a running one:
// a running thread cannot be stopped. RuntimeError for a closed loop or a
// shut-down executor. C++: F is taken by value and must be movable; its result
// type must be copyable (Future<T>::result() copies).
template <class F>
auto run_in_executor(EventLoop& loop, ThreadPoolExecutor* executor, F fn)
    -> Future<std::invoke_result_t<F>> {
    using R = std::invoke_result_t<F>;
    static_assert(std::is_void_v<R> || std::is_copy_constructible_v<R>,
                  "run_in_executor: the result type must be copyable");
    //@scratch ch09.hand_off
    //@exercise ch09.hand_off  Run fn on a worker; its outcome comes back into a loop Future.
    if (loop.is_closed()) throw RuntimeError("run_in_executor: the event loop is closed");
    auto& bridge = loop.extension<detail::ExecutorBridge>();
    ThreadPoolExecutor& pool = executor != nullptr ? *executor : bridge.default_executor();
    Future<R> future(loop);
    auto call = std::make_shared<detail::Call<F>>(std::move(fn));
    std::uint64_t id = bridge.add([future, call]() mutable { call->settle(future); });
    // The worker's half holds the call, the link and the id: never the future.
    // (The bridge lives while the loop is open; posted callbacks run only then.)
    auto post_settle = [link = bridge.link(), loop_side = &bridge, id] {
        link->post([loop_side, id] { loop_side->settle(id); });
    };
    ThreadPoolExecutor::WorkItem item{[call, post_settle] {
                                          if (call->run()) post_settle();
                                      },
                                      [call, post_settle] {
                                          if (call->state.try_cancel()) post_settle();
                                      }};
    try {
        pool.submit(std::move(item));
    } catch (...) {
        bridge.forget(id); // a shut-down executor: RuntimeError, nothing left behind
        throw;
    }
    // The program cancelled the future: a call still queued is never run.
    future.add_done_callback([call, &bridge, id](Future<R> done) {
        if (done.cancelled() && call->state.try_cancel()) bridge.forget(id);
    });
    return future;
    //@end
    //@end
}

// asyncio.to_thread(fn): run_in_executor on the running loop's default
// executor, awaited. Name the callable first, then move it in:
//     auto parse_config = [name] { return parse(name); };
//     Config config = co_await to_thread(std::move(parse_config));
// GCC 12 destroys a capturing lambda twice when the lambda is a temporary
// inside a co_await expression (co_await to_thread([name] {...})).
template <class F>
Coro<std::invoke_result_t<F>> to_thread(F fn) {
    co_return co_await run_in_executor(get_running_loop(), nullptr, std::move(fn));
}

} // namespace aio
