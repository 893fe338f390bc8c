// Future<T>: a placeholder for a result that is not there yet, with done
// callbacks scheduled on the loop (asyncio.Future, loop.run_until_complete).
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "event_loop.hpp"
#include "future_state.hpp"

namespace aio {

// A copyable handle to shared state (detail::FutureState<T>): every copy is
// the same future. T may be void. Use on the loop's thread only.
//
//   PENDING --set_result / set_exception--> FINISHED
//      \------------cancel(message)-------> CANCELLED
//
// Differences from asyncio (C++ forces all but the last):
// - set_result for void takes no argument; the value is copied out by result()
//   (every handle may read it), so T must be copyable to call result().
// - remove_done_callback takes the id add_done_callback returned (std::function
//   cannot be compared) and returns bool, not a count.
// - "never retrieved" is reported when the last handle goes away, not at GC.
// - add_done_callback refuses an empty std::function (ValueError) at once,
//   rather than failing later on the loop; set_exception, a null exception_ptr.
template <class T>
class Future {
public:
    using State = detail::FutureState<T>;

    Future() : Future(get_running_loop()) {} // asyncio: loop.create_future() in a running loop
    explicit Future(EventLoop& loop) : state_(std::make_shared<State>(loop)) {}
    // Adopts existing state: how chapter 05's Task<T> builds itself around its
    // TaskState (a FutureState<T>), and how a callback's state becomes a handle.
    explicit Future(std::shared_ptr<State> state) : state_(std::move(state)) {}

    bool done() const { return state_->done(); }
    bool cancelled() const { return state_->cancelled(); }
    // InvalidStateError if pending; CancelledError if cancelled; rethrows a set exception.
    T result() const { return state_->result(); }
    // InvalidStateError if pending; CancelledError if cancelled; null after set_result.
    std::exception_ptr exception() const { return state_->exception(); }

    // InvalidStateError if done. The void future's set_result takes no argument.
    void set_result(detail::FutureValue<T> value) requires(!std::is_void_v<T>) {
        state_->set_result(std::move(value));
    }
    void set_result() requires std::is_void_v<T> { state_->set_result({}); }
    void set_exception(std::exception_ptr e) { state_->set_exception(std::move(e)); }
    // Virtual in the state: a Task held as a Future<T> cancels as a task.
    bool cancel(std::string message = {}) { return state_->cancel(std::move(message)); }

    // Always scheduled with call_soon, never run inline. The callback gets a
    // handle to this future; the state keeps no reference to itself meanwhile.
    CallbackId add_done_callback(std::function<void(Future<T>)> cb) {
        if (!cb) throw ValueError("add_done_callback: the callback is empty");
        return state_->add_done_callback([cb = std::move(cb)](detail::FutureStateBase& state) {
            cb(Future<T>(std::static_pointer_cast<State>(state.shared_from_this())));
        });
    }
    bool remove_done_callback(CallbackId id) { return state_->remove_done_callback(id); }
    EventLoop& get_loop() const { return state_->loop(); }

    const std::shared_ptr<State>& state() const { return state_; }
    friend bool operator==(const Future& a, const Future& b) { return a.state_ == b.state_; }

private:
    std::shared_ptr<State> state_; // never null, except in a moved-from handle
};

namespace detail {
// The non-template core of run_until_complete (run_until_complete.cpp): runs
// the loop until state is done; the errors of run_until_complete.
void run_until_done(EventLoop& loop, FutureStateBase& state);
} // namespace detail

// asyncio: loop.run_until_complete(future). Runs the loop until the future is
// done and returns its result (or rethrows). RuntimeError if the loop is
// closed, already running, another loop runs in this thread, or the loop was
// stopped before the future was done ("Event loop stopped before Future
// completed."); ValueError for a future of another loop. Its done callback
// (which stops the loop) is removed afterwards.
template <class T>
T run_until_complete(EventLoop& loop, Future<T> future) {
    detail::run_until_done(loop, *future.state());
    return future.result();
}

} // namespace aio
