// Task<T>: a Future that drives a coroutine, one step per loop callback; and
// create_task, current_task, sleep and run (asyncio: tasks.py, runners.py).
#pragma once

#include <coroutine>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aio_base.hpp"
#include "coro.hpp"
#include "event_loop.hpp"
#include "future.hpp"

namespace aio {

namespace detail {
class TaskRegistry;
struct TaskProbe;
} // namespace detail

// What every Task<T> shares, whatever its T: the identity of a task and its
// step machinery (asyncio.Task minus the Future part). current_task() returns
// one; chapter 06 (gather, wait, timeout, TaskGroup) works through it.
class TaskBase {
public:
    // Where a task is in its life (xv6: enum procstate). asyncio keeps the
    // same facts spread over _state, _fut_waiter and the coroutine's own
    // state; here they are one field, and the diagram 05-task-step shows the
    // same machine. Transitions (who makes them):
    //   CREATED   --step()----------------------------> RUNNING
    //   SCHEDULED --step()----------------------------> RUNNING
    //   RUNNING   --frames wait for a future (wait_on)-> WAITING
    //   RUNNING   --frames yield, or a refused await---> SCHEDULED
    //   RUNNING   --root returned or threw (complete)--> DONE
    //   CREATED   --cancelled before its first step----> DONE (the body never runs)
    //   WAITING   --the future is done (wake-up)-------> SCHEDULED, then step()
    //   any but DONE --the loop closes (the registry)--> ABANDONED
    // Invariant (asyncio's): a pending task is waiting on a future, or a step
    // is scheduled, never both: waiter_ is set exactly in WAITING, and a step
    // runs only from CREATED or SCHEDULED.
    enum class State { CREATED, SCHEDULED, RUNNING, WAITING, DONE, ABANDONED };

    TaskBase(const TaskBase&) = delete;
    TaskBase& operator=(const TaskBase&) = delete;

    // Request cancellation (asyncio: Task.cancel). Cancels the future the task
    // awaits, so CancelledError(message) comes out of that co_await; with no
    // such future (not started yet, or about to run), the next step throws it
    // at the resume point. The coroutine may catch it and go on. False if done.
    bool cancel(std::string message = {});
    std::string get_name() const { return name_; }
    int cancelling() const { return num_cancels_requested_; } // pending requests (3.11)
    // One request fewer; at zero a cancel not yet delivered is withdrawn (3.13).
    int uncancel();
    bool done() const { return future_.done(); }
    bool cancelled() const { return future_.cancelled(); }
    EventLoop& get_loop() const { return future_.loop(); }
    State state() const { return state_; }
    // For chapter 13's task tree: the future the task waits for (asyncio:
    // _fut_waiter; null unless WAITING) and the innermost frame of its stack
    // (null before its first step; read it only while the task is suspended).
    const detail::FutureStateBase* awaiting() const { return waiter_.get(); }
    const detail::PromiseBase* innermost_frame() const { return frames_.innermost(); }
    // For chapter 13's debug mode: where create_task was called and the name
    // of the coroutine function it was given, kept only when the loop was in
    // debug mode then (line 0 and "" otherwise; asyncio: _source_traceback).
    SourceLocation created_at() const { return created_at_; }
    const char* coroutine_name() const { return coroutine_name_; }

    // The task as a type-erased future (chapter 06 waits on these) and an
    // owning handle to it (a TaskGroup keeps its parent task this way).
    detail::FutureStateBase& future_state() const { return future_; }
    std::shared_ptr<TaskBase> shared();

protected:
    TaskBase(detail::FutureStateBase& future, std::string name);
    virtual ~TaskBase() = default;

    // Puts the root on the task's frame stack, schedules the first step with
    // call_soon (a task starts on the NEXT loop iteration, never inline) and
    // registers the task with its loop. ValueError for an empty Coro,
    // RuntimeError for a finished one or a closed loop.
    void start();

    // What the typed part (detail::TaskState<T>) does for the steps.
    virtual std::coroutine_handle<> root_frame() const = 0; // null for an empty Coro
    virtual detail::PromiseBase& root_promise() = 0;
    virtual void destroy_frames() noexcept = 0; // the root Coro and, through it, every frame
    virtual void complete_with_result() = 0;    // asyncio: super().set_result(exc.value)
    virtual void complete_with_exception(std::exception_ptr error) = 0;
    virtual void complete_cancelled(std::string message) = 0; // asyncio: super().cancel()

private:
    friend class detail::TaskRegistry;
    friend struct detail::TaskProbe; // tests only: reaches the steps, breaks the invariant on
                                     // purpose

    void step();                                                   // asyncio: Task.__step
    void after_suspension();                                       // what the frames waited for
    void wait_on(std::shared_ptr<detail::FutureStateBase> future); // and __wakeup
    void complete(std::exception_ptr error);                       // the root returned or threw
    void schedule_step();                                          // RUNNING -> SCHEDULED
    void queue_step();                                             // call_soon(step)
    bool step_is_due() const;
    detail::TaskRegistry& registry() const;

    detail::FutureStateBase& future_; // this task's own future part
    detail::FrameStack frames_;
    std::string name_;
    std::uint64_t number_ = 0; // in the loop's registry, in creation order
    State state_ = State::CREATED;
    std::shared_ptr<detail::FutureStateBase> waiter_; // set in WAITING only (asyncio: _fut_waiter)
    int num_cancels_requested_ = 0;
    // A cancel no future could take (asyncio: _must_cancel and _cancel_message):
    // the next step throws CancelledError(message) in.
    std::optional<std::string> pending_cancel_;
    SourceLocation created_at_;       // debug mode only (create_task)
    const char* coroutine_name_ = ""; // debug mode only (create_task)

protected:
    void note_origin(SourceLocation where, const char* coroutine) {
        created_at_ = where;
        coroutine_name_ = coroutine;
    }
    // From ~TaskState, while the task part still exists (see task.cpp).
    void report_unretrieved_with_origin() noexcept;
};

namespace detail {

// How the loop's reports name a task (chapter 13's debug mode: with where it
// was created, asyncio's source traceback in one line).
class TaskDescriber {
public:
    virtual std::string describe(const TaskBase& task) const = 0;

protected:
    ~TaskDescriber() = default;
};

// Told, at the start of each task step, which task it runs: the callback
// running now is that task's step (chapter 13's debug mode and tracer).
class StepObserver {
public:
    virtual void task_step_started(const TaskBase& task) = 0;

protected:
    ~StepObserver() = default;
};

// The loop's table of tasks (a loop extension, see EventLoop::extension):
// every pending task, held by a strong reference until it is done, and the
// task whose step is running. Python keeps only weak references to tasks, so
// a task whose handles were all dropped can be garbage-collected mid-flight
// ("keep a reference to your tasks"); here the loop owns pending tasks, so a
// dropped handle never kills a running task.
class TaskRegistry {
public:
    explicit TaskRegistry(EventLoop& loop) : loop_(loop) {}
    // The loop is closing: every task still pending is destroyed with its
    // frames (asyncio logs "Task was destroyed but it is pending!").
    ~TaskRegistry();
    TaskRegistry(const TaskRegistry&) = delete;
    TaskRegistry& operator=(const TaskRegistry&) = delete;

    std::uint64_t add(std::shared_ptr<TaskBase> task);
    void remove(std::uint64_t number) { pending_.erase(number); }
    std::vector<std::shared_ptr<TaskBase>>
    pending() const; // asyncio: all_tasks(), in creation order

    TaskBase* current() const { return current_; }
    void enter(TaskBase* task); // asyncio: _enter_task
    void leave() { current_ = nullptr; }

    // One observer of the steps; nullptr (the default): none, one branch per step.
    void set_step_observer(StepObserver* observer) { step_observer_ = observer; }
    StepObserver* step_observer() const { return step_observer_; }
    // A report's name for a task: what the describer says, else its name.
    void set_describer(const TaskDescriber* describer) { describer_ = describer; }
    const TaskDescriber* describer() const { return describer_; }
    std::string describe(const TaskBase& task) const {
        return describer_ != nullptr ? describer_->describe(task) : task.get_name();
    }

private:
    void abandon_pending() noexcept;

    EventLoop& loop_;
    std::map<std::uint64_t, std::shared_ptr<TaskBase>> pending_;
    std::uint64_t last_number_ = 0;
    TaskBase* current_ = nullptr;
    StepObserver* step_observer_ = nullptr;
    const TaskDescriber* describer_ = nullptr;
};

// Cancel every pending task of the loop, run the loop until they are all
// done, and report the errors they ended with (asyncio: runners._cancel_all_tasks).
void cancel_all_tasks(EventLoop& loop);

// The typed part of a task: its future state and the root Coro it owns.
template <class T>
class TaskState final : public FutureState<T>, public TaskBase {
public:
    TaskState(EventLoop& loop, Coro<T> coro, std::string name)
        : FutureState<T>(loop, "Task"), TaskBase(*this, std::move(name)), root_(std::move(coro)) {}
    using TaskBase::start;
    ~TaskState() override { this->report_unretrieved_with_origin(); }
    TaskState(const TaskState&) = delete;
    TaskState& operator=(const TaskState&) = delete;

    // Debug mode: where create_task was called, and the root's function.
    void note_created(SourceLocation where) {
        note_origin(where, root_ ? root_.frame_.promise().origin().function : "");
    }

    // Future<T>::cancel lands here: a task cancels as a task.
    bool cancel(std::string message = {}) override { return TaskBase::cancel(std::move(message)); }

private:
    // asyncio: Task.set_result / set_exception raise RuntimeError; the task
    // completes itself through finish_with_value, finish and mark_cancelled.
    void check_settable() const override {
        throw RuntimeError("Task does not support set_result or set_exception operations");
    }
    std::coroutine_handle<> root_frame() const override { return root_.frame_; }
    PromiseBase& root_promise() override { return root_.frame_.promise(); }
    void destroy_frames() noexcept override { root_ = Coro<T>(); }
    void complete_with_result() override {
        if constexpr (std::is_void_v<T>) {
            root_.frame_.promise().take_result();
            this->finish_with_value({});
        } else {
            this->finish_with_value(root_.frame_.promise().take_result());
        }
    }
    void complete_with_exception(std::exception_ptr error) override {
        this->finish(std::move(error));
    }
    void complete_cancelled(std::string message) override {
        this->mark_cancelled(std::move(message));
    }

    Coro<T> root_;
};

// co_await future: if it is done, no suspension at all (asyncio:
// Future.__await__ yields only while pending). Otherwise the awaiter hands the
// future to the task (the C++ spelling of `yield self`) and the task's step
// subscribes to it. await_resume throws what the task threw in (a
// cancellation), else the future's result or exception.
template <class T>
class FutureAwaiter {
public:
    explicit FutureAwaiter(Future<T> future) : future_(std::move(future)) {}

    bool await_ready() const { return future_.done(); }
    template <class P>
    void await_suspend(std::coroutine_handle<P> frame) {
        //@scratch ch05.future_awaiter
        //@exercise ch05.future_awaiter  Keep the frame stack; hand it the future to wait on.
        frames_ = &frame.promise().frames();
        frames_->wait_for(future_.state());
        //@end
        //@end
    }
    T await_resume() {
        //@scratch ch05.await_result
        //@exercise ch05.await_result  Rethrow what was thrown in, else the result.
        if (frames_ != nullptr) frames_->rethrow_thrown_in();
        return future_.result();
        //@end
        //@end
    }

private:
    Future<T> future_;
    FrameStack* frames_ = nullptr; // set only when the frame suspended
};

// sleep(0s): give the loop one turn (asyncio: tasks.__sleep0's bare yield).
class YieldAwaiter {
public:
    bool await_ready() const noexcept { return false; }
    template <class P>
    void await_suspend(std::coroutine_handle<P> frame) {
        //@scratch ch05.yield
        //@exercise ch05.yield  Keep the frame stack; ask it for one loop turn.
        frames_ = &frame.promise().frames();
        frames_->yield_to_loop();
        //@end
        //@end
    }
    void await_resume() { frames_->rethrow_thrown_in(); }

private:
    FrameStack* frames_ = nullptr;
};

} // namespace detail

// `co_await future` (and `co_await task`, a Task being a Future) inside a
// coroutine run by a task: the result, or the exception, or CancelledError.
template <class T>
detail::FutureAwaiter<T> operator co_await(Future<T> future) {
    return detail::FutureAwaiter<T>(std::move(future));
}

// asyncio.Task: a Future<T> whose result is the coroutine's. A copyable handle;
// the loop keeps a pending task alive even when every handle is dropped.
// cancel() dispatches through the shared state, so a Task held as a Future<T>
// still cancels as a task; set_result/set_exception on a task: RuntimeError.
template <class T = void>
class Task : public Future<T> {
public:
    bool cancel(std::string message = {}) { return base().cancel(std::move(message)); }
    std::string get_name() const { return base().get_name(); }
    int cancelling() const { return base().cancelling(); }
    int uncancel() { return base().uncancel(); }
    // The type-erased view of this task (what current_task() returns).
    TaskBase& base() const { return static_cast<detail::TaskState<T>&>(*this->state()); }

private:
    template <class U>
    friend Task<U> create_task(EventLoop& loop, Coro<U> coro, std::string name,
                               SourceLocation where);
    explicit Task(std::shared_ptr<detail::TaskState<T>> state) : Future<T>(std::move(state)) {}
};

// asyncio.create_task: wrap the coroutine in a task of the loop; the first
// step runs on the loop's next iteration (call_soon), not here.
// RuntimeError if the loop is closed; ValueError for an empty Coro. `where`
// is the caller's line, kept for chapter 13's reports in debug mode only.
template <class T>
Task<T> create_task(EventLoop& loop, Coro<T> coro, std::string name = {},
                    SourceLocation where = SourceLocation::current()) {
    auto state = std::make_shared<detail::TaskState<T>>(loop, std::move(coro), std::move(name));
    if (loop.get_debug()) state->note_created(where);
    state->start();
    return Task<T>(std::move(state));
}

// On the running loop (RuntimeError "no running event loop" outside one).
template <class T>
Task<T> create_task(Coro<T> coro, std::string name = {},
                    SourceLocation where = SourceLocation::current()) {
    return create_task(get_running_loop(), std::move(coro), std::move(name), where);
}

// The task whose step is running (asyncio.current_task); nullptr outside a
// task, and when no loop runs in this thread. Non-owning (see TaskBase::shared).
TaskBase* current_task();

// Suspend the calling task for `delay` on the loop's clock; sleep(0s) yields
// to the loop exactly once. Cancellable: the timer is dropped on the way out.
Coro<void> sleep(Duration delay);

// asyncio.run: a new loop (debug mode if asked), main as its first task,
// until main is done; then every task still pending is cancelled and awaited
// (their errors go to the exception handler, once each) and the loop is
// closed. Returns main's result or rethrows its exception. RuntimeError when
// called while a loop runs in this thread.
template <class T>
T run(Coro<T> main, bool debug = false) {
    //@scratch ch05.run
    if (detail::running_loop() != nullptr)
        throw RuntimeError("run() cannot be called from a running event loop");
    //@exercise ch05.run  New loop, main as a task, clean up, close; its result.
    EventLoop loop(LoopOptions{.debug = debug});
    Task<T> main_task = create_task(loop, std::move(main));
    try {
        run_until_complete(loop, Future<T>(main_task));
    } catch (...) {
        detail::cancel_all_tasks(loop);
        throw;
    }
    detail::cancel_all_tasks(loop);
    loop.close();
    return main_task.result();
    //@end
    //@end
}

} // namespace aio
