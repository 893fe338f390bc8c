// The shared state behind every Future and Task handle: the state machine,
// the outcome and the done callbacks (asyncio: the fields of futures.Future).
#pragma once

#include <cassert>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "aio_base.hpp"

namespace aio {

class EventLoop;

using CallbackId = std::uint64_t; // one per add_done_callback registration, never reused

namespace detail {

// The type-erased state of a future: everything that does not depend on T.
// Chapter 05's TaskState and chapter 06's gather/wait work through this view.
//
// Ownership: handles (Future<T>, Task<T>) hold it by shared_ptr. The callback
// list holds NO reference to its own state (no cycle): a callback receives the
// state as an argument, and shared_from_this() rebuilds a strong handle. Only
// when the future completes does each callback get a strong reference, inside
// the call_soon that schedules it, so the state lives until its callbacks ran.
//
// One state per future (asserted after every move and before each
// add_done_callback, in debug builds):
//   PENDING    no outcome yet: no exception, no cancel message, nothing to
//              report; done callbacks wait in the list
//   FINISHED   a value (in FutureState<T>) or an exception; the list is empty
//              (its callbacks were handed to call_soon)
//   CANCELLED  a cancel message (maybe empty), no exception; the list is empty
// A future leaves PENDING once, and never comes back.
//
// Thread: the loop's thread only, as asyncio.Future.
class FutureStateBase : public std::enable_shared_from_this<FutureStateBase> {
public:
    enum class Status { PENDING, FINISHED, CANCELLED }; // asyncio: _PENDING, _FINISHED, _CANCELLED
    using DoneCallback = std::function<void(FutureStateBase&)>;

    // class_name is what the never-retrieved report starts with ("Future",
    // chapter 05: "Task"), as asyncio uses self.__class__.__name__. It is stored,
    // not a virtual, because the report comes from this destructor, when the
    // derived class is already gone and a virtual call would reach this class.
    explicit FutureStateBase(EventLoop& loop, const char* class_name = "Future");
    virtual ~FutureStateBase(); // reports an exception never retrieved (asyncio: __del__)
    FutureStateBase(const FutureStateBase&) = delete;
    FutureStateBase& operator=(const FutureStateBase&) = delete;

    EventLoop& loop() const { return *loop_; }
    Status status() const { return status_; }
    bool done() const { return status_ != Status::PENDING; }
    bool cancelled() const { return status_ == Status::CANCELLED; }
    const std::string& cancel_message() const { return cancel_message_; }

    // The set exception (null after set_result). Marks it retrieved.
    // InvalidStateError "Exception is not set." while pending; CancelledError
    // (what() = the cancel message) if cancelled.
    std::exception_ptr exception();
    // result() without the value: the same errors as exception() (pending:
    // "Result is not set."), then rethrows the set exception, if any.
    void throw_unless_result();

    // InvalidStateError "invalid state" if done, then ValueError for a null e
    // (asyncio checks the state first).
    void set_exception(std::exception_ptr e);

    // asyncio: Future.cancel(msg). Virtual: a task cancels the future it awaits
    // instead (chapter 05), and Future<T>::cancel dispatches here, so a Task
    // held as a Future<T> still cancels as a task. False if already done. The
    // default message is Future<T>::cancel's: an override repeats it, since a
    // default argument is taken from the static type of the call.
    virtual bool cancel(std::string message = {});

    // Always scheduled with call_soon, never run inline; in registration order.
    // On a done future the callback is scheduled at once. Ids start at 1.
    CallbackId add_done_callback(DoneCallback cb);
    // False once the callbacks were scheduled (or for an unknown id).
    bool remove_done_callback(CallbackId id);

    // True while a set exception waits to be retrieved (asyncio: __log_traceback).
    bool exception_unretrieved() const { return log_traceback_; }
    // Silences the never-retrieved report without retrieving (e.g. a combinator
    // that passes the exception on).
    void mark_retrieved() noexcept { log_traceback_ = false; }
    // "Future" or "Task" (the report's word; chapter 13's task tree shows it).
    const char* class_name() const noexcept { return class_name_; }
    // What a task that awaits this future is waiting for, in chapter 13's task
    // tree: "gather", "Lock.acquire", "Queue.get"; the class name when the
    // future's maker said nothing. Only a description: nothing depends on it.
    void describe_wait(const char* what) noexcept { waits_for_ = what; }
    const char* waits_for() const noexcept {
        return waits_for_ != nullptr ? waits_for_ : class_name_;
    }
    // False once the loop is destroyed (chapter 05's debug-mode report checks
    // it before it reaches for the loop from a destructor).
    bool loop_alive() const noexcept { return !loop_alive_.expired(); }

protected:
    // Chapter 05: TaskState throws RuntimeError here, so set_result/set_exception
    // from outside a task fail; the task completes itself with finish() and
    // mark_cancelled(), which do not call it.
    virtual void check_settable() const {}
    // InvalidStateError "invalid state" unless pending.
    void check_pending() const;
    // PENDING -> FINISHED with the given error (null: a result, which the derived
    // state stored first), then schedules the callbacks. The caller checked
    // that the future is pending (asserted: a future finishes once).
    void finish(std::exception_ptr error);
    // PENDING -> CANCELLED with the message, then schedules the callbacks; false
    // if already done. The non-virtual core of cancel().
    bool mark_cancelled(std::string message);
    // The invariant above: the fields agree with status_ (for assert()).
    bool holds_one_state() const;

private:
    std::exception_ptr outcome(const char* pending_message);
    void schedule_callbacks();
    void report_unretrieved() noexcept;

    EventLoop* loop_;
    std::weak_ptr<const void> loop_alive_; // expires with the loop: see report_unretrieved
    const char* class_name_;
    const char* waits_for_ = nullptr; // see describe_wait
    Status status_ = Status::PENDING;
    std::exception_ptr exception_;
    std::string cancel_message_;
    std::vector<std::pair<CallbackId, DoneCallback>> callbacks_; // cleared once scheduled
    CallbackId next_id_ = 1;
    bool log_traceback_ = false;
};

// The value a future of T holds: T itself, std::monostate for void.
template <class T>
using FutureValue = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

// The state of a Future<T>: the type-erased part plus the value.
template <class T>
class FutureState : public FutureStateBase {
public:
    explicit FutureState(EventLoop& loop, const char* class_name = "Future")
        : FutureStateBase(loop, class_name) {}

    // asyncio: Future.result(). Returns a copy: every handle may read it.
    T result() {
        throw_unless_result();
        if constexpr (!std::is_void_v<T>) return *value_;
    }

    // InvalidStateError "invalid state" if done. For void: set_result({}).
    // The value is stored first, then finish() (your ch04.finish) moves the state.
    void set_result(FutureValue<T> value) {
        check_settable();
        finish_with_value(std::move(value));
    }

protected:
    // For a derived state that completes itself (chapter 05): no check_settable.
    void finish_with_value(FutureValue<T> value) {
        check_pending(); // before the value is touched: a refused set keeps the old one
        value_.emplace(std::move(value));
        finish(nullptr);
        assert(holds_one_state() && "one state per future: set_result leaves it FINISHED");
    }

private:
    std::optional<FutureValue<T>> value_;
};

} // namespace detail
} // namespace aio
