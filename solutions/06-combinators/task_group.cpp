// A TaskGroup's bookkeeping: its children, its failures, and the exit that
// waits for them all (asyncio: taskgroups.TaskGroup).
#include "task_group.hpp"

#include <algorithm>
#include <cassert>

#include "timeouts.hpp" // detail::is_cancellation

namespace aio {

namespace {
std::string group_message(std::size_t count) {
    return "unhandled errors in a TaskGroup (" + std::to_string(count) + " sub-exception" +
           (count == 1 ? ")" : "s)");
}

TaskBase& parent_task() {
    TaskBase* task = current_task();
    if (task == nullptr) throw RuntimeError("task_group must be awaited inside a task");
    return *task;
}
} // namespace

ExceptionGroup::ExceptionGroup(std::vector<std::exception_ptr> exceptions)
    : Error(group_message(exceptions.size())), exceptions_(std::move(exceptions)) {}

TaskGroup::TaskGroup(Key) : loop_(get_running_loop()), parent_(parent_task()) {}

void TaskGroup::check_open() const {
    if (exiting_ && tasks_.empty()) throw RuntimeError("TaskGroup is finished");
    if (aborting_) throw RuntimeError("TaskGroup is shutting down");
}

void TaskGroup::adopt(TaskBase& task) {
    tasks_.push_back(task.shared());
    std::weak_ptr<TaskGroup> weak = weak_from_this();
    TaskBase* child = &task; // alive while its own done callback runs
    task.future_state().add_done_callback([weak, child](detail::FutureStateBase&) {
        if (auto group = weak.lock()) group->on_task_done(*child);
    });
}

void TaskGroup::abort() {
    //@scratch ch06.group_abort
    //@exercise ch06.group_abort  Shutting down: cancel every child not done yet.
    aborting_ = true;
    for (const std::shared_ptr<TaskBase>& task : tasks_)
        if (!task->done()) task->cancel();
    //@end
    //@end
}

void TaskGroup::wake_exit() {
    if (on_completed_ && tasks_.empty() && !on_completed_->done()) on_completed_->set_result();
}

void TaskGroup::on_task_done(TaskBase& task) {
    //@scratch ch06.group_task_done
    //@exercise ch06.group_task_done  Forget the child; keep its failure; the first one aborts.
    std::erase_if(tasks_, [&task](const std::shared_ptr<TaskBase>& t) { return t.get() == &task; });
    wake_exit();
    if (task.cancelled()) return;
    std::exception_ptr error = task.future_state().exception();
    if (!error) return;
    errors_.push_back(error);
    if (!aborting_ && !parent_cancel_requested_) {
        abort();
        parent_cancel_requested_ = true;
        parent_.cancel();
    }
    //@end
    //@end
}

Coro<void> TaskGroup::exit(std::exception_ptr error) {
    //@scratch ch06.group_exit
    //@exercise ch06.group_exit  Wait for every child; then the cancel or the ExceptionGroup.
    exiting_ = true;
    bool body_cancelled = detail::is_cancellation(error);
    std::exception_ptr propagate_cancel = body_cancelled ? error : nullptr;
    if (error && !aborting_) abort();
    while (!tasks_.empty()) {
        on_completed_.emplace(loop_);
        try {
            co_await *on_completed_;
        } catch (const CancelledError&) {
            if (!aborting_) { // the parent is cancelled from outside
                propagate_cancel = std::current_exception();
                abort();
            }
        }
        on_completed_.reset();
    }
    assert(tasks_.empty() && "TaskGroup: exit ends with every child done");
    if (parent_cancel_requested_ && parent_.uncancel() == 0) propagate_cancel = nullptr;
    if (propagate_cancel && errors_.empty()) std::rethrow_exception(propagate_cancel);
    if (error && !body_cancelled) errors_.push_back(error);
    if (errors_.empty()) co_return;
    if (parent_.cancelling() > 0) { // an outside cancel: keep it pending (3.13)
        parent_.uncancel();
        parent_.cancel();
    }
    throw ExceptionGroup(std::move(errors_));
    //@end
    //@end
}

Coro<void> task_group(std::function<Coro<void>(TaskGroup&)> body) {
    if (!body) throw ValueError("task_group: the body is empty");
    auto group = std::make_shared<TaskGroup>(TaskGroup::Key{});
    std::exception_ptr error;
    try {
        co_await body(*group);
    } catch (...) {
        error = std::current_exception(); // no co_await in a catch block
    }
    co_await group->exit(error);
}

} // namespace aio
