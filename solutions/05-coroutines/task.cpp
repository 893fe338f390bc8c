// A task's steps, wake-ups and cancellation, and the loop's registry of tasks
// (asyncio: Task.__step, __wakeup, cancel, uncancel in tasks.py).
#include "task.hpp"

#include <cassert>
#include <optional>

namespace aio {

namespace {

// Marks the task as the running one for the duration of a step, and tells
// the step observer (chapter 13), if any, whose step this is.
class CurrentTaskScope {
public:
    CurrentTaskScope(detail::TaskRegistry& registry, TaskBase* task) : registry_(registry) {
        registry_.enter(task);
        if (detail::StepObserver* observer = registry_.step_observer())
            observer->task_step_started(*task);
    }
    ~CurrentTaskScope() { registry_.leave(); }
    CurrentTaskScope(const CurrentTaskScope&) = delete;
    CurrentTaskScope& operator=(const CurrentTaskScope&) = delete;

private:
    detail::TaskRegistry& registry_;
};

} // namespace

TaskBase::TaskBase(detail::FutureStateBase& future, std::string name)
    : future_(future), name_(std::move(name)) {}

std::shared_ptr<TaskBase> TaskBase::shared() {
    // Aliasing: shares ownership of the whole task state, points at this part.
    return std::shared_ptr<TaskBase>(future_.shared_from_this(), this);
}

detail::TaskRegistry& TaskBase::registry() const {
    return get_loop().extension<detail::TaskRegistry>();
}

void TaskBase::start() {
    //@scratch ch05.start
    //@exercise ch05.start  Refuse a bad Coro; stack the root; queue step 1; register, name.
    std::coroutine_handle<> root = root_frame();
    if (!root) throw ValueError("create_task: the Coro is empty (moved from?)");
    if (root.done()) throw RuntimeError("cannot reuse already awaited coroutine");
    root_promise().attach(frames_, nullptr); // the root has no parent
    frames_.start(root);
    queue_step(); // before registering: on a closed loop this throws, and nothing is registered
    number_ = registry().add(shared());
    if (name_.empty()) name_ = "Task-" + std::to_string(number_);
    //@end
    //@end
}

void TaskBase::schedule_step() {
    assert(state_ == State::RUNNING && "only a running step schedules the next one");
    state_ = State::SCHEDULED;
    queue_step();
}

bool TaskBase::step_is_due() const {
    return (state_ == State::CREATED || state_ == State::SCHEDULED) && waiter_ == nullptr;
}

// asyncio: Task.__step. One resume of the frames, then one of three outcomes:
// the root finished (complete the future), the frames wait for a future
// (subscribe to it), or they yielded (step again on the next iteration).
void TaskBase::step() {
    //@scratch ch05.task_step
    if (state_ == State::ABANDONED) return; // the loop closed while this step was queued
    assert(step_is_due() && "a task is waiting on a future, or a step is scheduled, never both");
    //@exercise ch05.task_step  Deliver a pending cancel, run the frames, complete or follow up.
    if (pending_cancel_) {
        frames_.throw_in(std::make_exception_ptr(CancelledError(*pending_cancel_)));
        pending_cancel_.reset(); // delivered: a second step must not throw it again
    }
    if (state_ == State::CREATED && frames_.has_thrown_in()) {
        complete(frames_.take_thrown_in()); // thrown into a fresh coroutine: its body never runs
        return;
    }
    state_ = State::RUNNING;
    {
        CurrentTaskScope running(registry(), this);
        frames_.run();
    }
    if (frames_.finished())
        complete(root_promise().exception());
    else
        after_suspension();
    //@end
    //@end
}

void TaskBase::after_suspension() {
    //@scratch ch05.follow_up
    //@exercise ch05.follow_up  FUTURE: wait on it; YIELD: step again; else: bad yield.
    switch (frames_.suspension()) {
    case detail::Suspension::FUTURE: wait_on(frames_.take_awaited()); return;
    case detail::Suspension::YIELD: // asyncio: a bare yield relinquishes one iteration
        schedule_step();
        return;
    default:
        // A foreign awaitable (std::suspend_always, another library's) suspended
        // the frame: the task cannot wait for it, nor throw into it, since only
        // the kit's awaiters rethrow what was thrown in. asyncio throws "bad
        // yield" into the coroutine; here it ends the task, frames destroyed.
        complete(std::make_exception_ptr(RuntimeError(
            "Task got bad yield: co_await something other than a Future, Task, Coro or sleep")));
    }
    //@end
    //@end
}

// The second half of asyncio's __step for a yielded future, and __wakeup.
void TaskBase::wait_on(std::shared_ptr<detail::FutureStateBase> future) {
    //@scratch ch05.wakeup
    //@exercise ch05.wakeup  Refuse foreign/self futures; else wait on it until its callback.
    if (&future->loop() != &get_loop()) {
        frames_.throw_in(std::make_exception_ptr(
            RuntimeError("Task " + name_ + " got a Future attached to a different loop")));
        return schedule_step();
    }
    if (future.get() == &future_) {
        frames_.throw_in(
            std::make_exception_ptr(RuntimeError("Task cannot await on itself: " + name_)));
        return schedule_step();
    }
    // A weak reference: the future must not keep the task alive (the registry
    // does), or task -> frame -> future -> callback -> task would never be freed.
    std::weak_ptr<TaskBase> weak = shared();
    future->add_done_callback([weak](detail::FutureStateBase&) {
        std::shared_ptr<TaskBase> task = weak.lock();
        if (!task || task->state_ != State::WAITING) return; // abandoned by a closing loop
        task->waiter_.reset(); // done: no longer awaited, and its memory may go
        task->state_ = State::SCHEDULED;
        task->step(); // asyncio: __wakeup
    });
    state_ = State::WAITING;
    waiter_ = std::move(future);
    if (pending_cancel_ && waiter_->cancel(*pending_cancel_)) pending_cancel_.reset();
    //@end
    //@end
}

void TaskBase::complete(std::exception_ptr error) {
    //@scratch ch05.complete
    assert((state_ == State::RUNNING || state_ == State::CREATED) && "only a step ends a task");
    //@exercise ch05.complete  End as the root ended; free the frames; leave the registry.
    if (!error && pending_cancel_) { // cancelled right before the coroutine returned
        complete_cancelled(*pending_cancel_);
    } else if (error) {
        try {
            std::rethrow_exception(error);
        } catch (const CancelledError& cancelled) { // it let the cancellation out
            complete_cancelled(cancelled.message());
        } catch (...) {
            complete_with_exception(error);
        }
    } else {
        complete_with_result();
    }
    state_ = State::DONE;
    destroy_frames();
    registry().remove(number_); // last: may free this task if no step holds it (chapter 14's)
    //@end
    //@end
}

// Debug mode: a task created in debug mode whose exception nobody retrieved
// is reported here, named as the loop's describer names it (chapter 13: with
// where it was created), which chapter 04's report cannot do: it runs after
// the task part is gone. Marked retrieved, so that one stays silent.
void TaskBase::report_unretrieved_with_origin() noexcept {
    if (created_at_.line == 0 || !future_.exception_unretrieved() || !future_.loop_alive()) return;
    try {
        const detail::TaskRegistry& tasks = registry();
        if (tasks.describer() == nullptr) return;
        std::exception_ptr error = future_.exception(); // marks it retrieved
        get_loop().call_exception_handler(
            {"Task exception was never retrieved (" + tasks.describe(*this) + ")", error});
    } catch (...) {
        // call_exception_handler falls back to the default itself; what is
        // left (bad_alloc) cannot leave a destructor.
    }
}

// asyncio: Task.cancel
bool TaskBase::cancel(std::string message) {
    //@scratch ch05.cancel
    //@exercise ch05.cancel  Count it; cancel the waiter, or else keep it for the next step.
    future_.mark_retrieved(); // asyncio: _log_traceback = False; a canceller gave up on it
    if (done()) return false;
    ++num_cancels_requested_;
    // waiter_ may be a task that swallows the cancellation: it stays the
    // waiter, so a second cancel() reaches it again.
    if (state_ == State::WAITING && waiter_->cancel(message)) return true;
    pending_cancel_ = std::move(message);
    return true;
    //@end
    //@end
}

// asyncio 3.13: Task.uncancel
int TaskBase::uncancel() {
    //@scratch ch05.uncancel
    //@exercise ch05.uncancel  One fewer (not below 0); at 0 withdraw a pending cancel.
    if (num_cancels_requested_ > 0) {
        --num_cancels_requested_;
        if (num_cancels_requested_ == 0) pending_cancel_.reset();
    }
    return num_cancels_requested_;
    //@end
    //@end
}

namespace detail {

TaskRegistry::~TaskRegistry() {
    if (!pending_.empty()) abandon_pending();
}

void TaskRegistry::abandon_pending() noexcept {
    //@scratch ch05.close
    //@stub aio::detail::not_implemented_abort("ch05.close");
    //@exercise ch05.close  Report and abandon every pending task until none is left.
    //@stub aio::detail::not_implemented_abort("ch05.close");
    // A destructor run by a frame may create or finish tasks: take the table
    // out first, and repeat until it stays empty.
    while (!pending_.empty()) {
        auto tasks = std::move(pending_);
        pending_.clear();
        for (auto& [number, task] : tasks) {
            loop_.call_exception_handler(
                {"Task was destroyed but it is pending! (" + describe(*task) + ")", nullptr});
            task->state_ = TaskBase::State::ABANDONED; // a queued step does nothing now
            task->waiter_.reset();
            task->destroy_frames(); // the locals of every frame are destroyed here
        }
    }
    //@end
    //@end
}

std::uint64_t TaskRegistry::add(std::shared_ptr<TaskBase> task) {
    pending_.emplace(++last_number_, std::move(task));
    return last_number_;
}

std::vector<std::shared_ptr<TaskBase>> TaskRegistry::pending() const {
    //@scratch ch05.pending
    //@exercise ch05.pending  Every pending task, in creation order.
    std::vector<std::shared_ptr<TaskBase>> tasks;
    tasks.reserve(pending_.size());
    for (const auto& entry : pending_)
        tasks.push_back(entry.second);
    return tasks;
    //@end
    //@end
}

void TaskRegistry::enter(TaskBase* task) {
    //@scratch ch05.enter
    //@exercise ch05.enter  Make task the current one; refuse if another one runs.
    if (current_ != nullptr)
        throw RuntimeError("Cannot enter into task " + task->get_name() + " while another task " +
                           current_->get_name() + " is being executed.");
    current_ = task;
    //@end
    //@end
}

} // namespace detail

TaskBase* current_task() {
    //@scratch ch05.current_task
    //@exercise ch05.current_task  The task whose step runs on the running loop, or nullptr.
    EventLoop* loop = detail::running_loop();
    return loop != nullptr ? loop->extension<detail::TaskRegistry>().current() : nullptr;
    //@end
    //@end
}

} // namespace aio
