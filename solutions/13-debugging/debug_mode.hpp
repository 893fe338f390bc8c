// Debug mode with where things come from (asyncio: asyncio.run(main(),
// debug=True)): a slow task step is reported with its task's name and where
// the task was created, and a coroutine never awaited with its function.
#pragma once

#include <string>

#include "loop_watch.hpp"

namespace aio {

// While it lives: the loop is in debug mode (chapter 03's: slow callbacks,
// loop methods from a foreign thread), a slow task step is reported as
// "Executing <Task step 'crawl-3' fetch_one created at client.cpp:42> took
// 0.153 seconds", and a coroutine created on this thread and destroyed
// without ever running as "coroutine fetch_one was never awaited (created at
// client.cpp:57)". The loop's reports that name a task say where it was
// created: "Task was destroyed but it is pending! (task 'crawl-3' created at
// crawler.cpp:88)" when the loop closes, and "Task exception was never
// retrieved (task 'x' created at ...)". Each report goes once to the loop's
// exception handler. Create it before the tasks and coroutines it should
// describe; it must not outlive the loop. One per thread at a time.
class DebugMode : private detail::CallbackWatcher,
                  private detail::CoroutineOriginTracker,
                  private detail::TaskDescriber {
public:
    explicit DebugMode(EventLoop& loop);
    ~DebugMode(); // the loop's debug flag and the thread's tracker go back to what they were
    DebugMode(const DebugMode&) = delete;
    DebugMode& operator=(const DebugMode&) = delete;

private:
    void hook(bool on); // on: the hooks taken; off: what was there given back
    // What the loop tells (loop_watch.hpp): the running callback's name.
    void callback_started() override;
    void task_step_started(const TaskBase& task) override;
    std::string handle_repr() const override;
    void note_step(const TaskBase* task); // null: a plain callback
    // What a Coro tells when it dies unstarted (coro.hpp).
    void never_awaited(SourceLocation created) noexcept override;
    // How the loop's reports name a task (task.hpp).
    std::string describe(const TaskBase& task) const override;

    EventLoop& loop_;
    bool was_debug_ = false;
    detail::CoroutineOriginTracker* previous_tracker_ = nullptr;
    const detail::TaskDescriber* previous_describer_ = nullptr;
    std::string step_; // the running task step's repr; "" while a plain callback runs
};

} // namespace aio
