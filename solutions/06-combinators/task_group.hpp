// TaskGroup: structured concurrency. The children of a group all end before
// the group does; the first failure cancels the rest (asyncio.TaskGroup).
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "task.hpp"

namespace aio {

// asyncio's ExceptionGroup: every failure of a TaskGroup, in the order they
// happened. what(): "unhandled errors in a TaskGroup (N sub-exception[s])".
// A group's failure may itself be a group: nested groups nest.
struct ExceptionGroup : Error {
    explicit ExceptionGroup(std::vector<std::exception_ptr> exceptions);
    const std::vector<std::exception_ptr>& exceptions() const { return exceptions_; }

private:
    std::vector<std::exception_ptr> exceptions_;
};

class TaskGroup;
Coro<void> task_group(std::function<Coro<void>(TaskGroup&)> body);

// asyncio.TaskGroup. Only task_group() makes one; the body gets it by
// reference. Neither copyable nor movable: the children's callbacks find it
// through a weak reference. Thread: the loop's, as every task.
class TaskGroup : public std::enable_shared_from_this<TaskGroup> {
    struct Key {
        explicit Key() = default;
    };

public:
    explicit TaskGroup(Key); // RuntimeError outside a task
    TaskGroup(const TaskGroup&) = delete;
    TaskGroup& operator=(const TaskGroup&) = delete;

    // asyncio: TaskGroup.create_task. RuntimeError "TaskGroup is finished"
    // after exit, "TaskGroup is shutting down" once a failure aborted it.
    // `where` is the caller's line, passed on for chapter 13's debug mode.
    template <class T>
    Task<T> create_task(Coro<T> coro, std::string name = {},
                        SourceLocation where = SourceLocation::current()) {
        check_open();
        Task<T> task = aio::create_task(loop_, std::move(coro), std::move(name), where);
        adopt(task.base());
        return task;
    }

private:
    friend Coro<void> task_group(std::function<Coro<void>(TaskGroup&)> body);

    void check_open() const;
    void adopt(TaskBase& task);                // watch it until it is done
    void on_task_done(TaskBase& task);         // asyncio: _on_task_done
    void abort();                              // asyncio: _abort, cancel every child
    Coro<void> exit(std::exception_ptr error); // asyncio: __aexit__
    void wake_exit();

    EventLoop& loop_;
    TaskBase& parent_; // the task whose frame holds this group: it outlives it
    std::vector<std::shared_ptr<TaskBase>> tasks_; // children not done yet
    std::vector<std::exception_ptr> errors_;       // in the order they happened
    std::optional<Future<void>> on_completed_;     // exit() waits on it
    bool exiting_ = false;
    bool aborting_ = false;
    bool parent_cancel_requested_ = false;
};

// `async with asyncio.TaskGroup() as group: await body(group)`. Waits for every
// child. The first failure (not a cancellation) cancels the other children
// and the body; then ExceptionGroup with every failure. The enclosing task is
// cancelled once for that and uncancelled on exit, so an outside cancel is
// not lost: with no failure it comes out as CancelledError.
Coro<void> task_group(std::function<Coro<void>(TaskGroup&)> body);

} // namespace aio
