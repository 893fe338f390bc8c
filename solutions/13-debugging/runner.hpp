// run_interruptible: asyncio.run with asyncio.Runner's Ctrl-C. The first
// SIGINT cancels the main task, which cleans up like any cancelled task; then
// the run ends with Interrupted (Python: KeyboardInterrupt) instead of a
// CancelledError. Chapter 05's run() is left as it was: it knows no signals.
#pragma once

#include <exception>
#include <utility>

#include "signals.hpp"
#include "task.hpp"

namespace aio {

// What run_interruptible throws after a Ctrl-C (asyncio.run: KeyboardInterrupt).
struct Interrupted : Error {
    using Error::Error;
};

namespace detail {

// asyncio.Runner's SIGINT handling, for one run: installed by its constructor
// (a SIGINT handler through the loop), removed by its destructor.
class SigintCatcher {
public:
    SigintCatcher(EventLoop& loop, TaskBase& main);
    ~SigintCatcher();
    SigintCatcher(const SigintCatcher&) = delete;
    SigintCatcher& operator=(const SigintCatcher&) = delete;

    // asyncio: Runner._on_sigint. The first SIGINT cancels the main task; one
    // more, while it cleans up, ends the process as Ctrl-C without a handler does.
    void on_sigint();
    // The run ended with `error` (null: main returned): rethrow it, or
    // Interrupted when it is the cancel a SIGINT asked for (asyncio: Runner.run).
    void finish(std::exception_ptr error);
    int interrupts() const { return interrupts_; }

private:
    EventLoop& loop_;
    TaskBase& main_;
    int interrupts_ = 0;
    bool dumping_ = false; // LOOPLAB_DUMP=1: a SIGQUIT handler is ours to remove
};

// LOOPLAB_DUMP=1 in the environment: SIGQUIT (Ctrl-backslash) prints the loop's task
// tree to stderr and the program goes on, so a hung program can be looked
// into from its terminal or with `kill -QUIT <pid>` from another.
// True if it installed the handler.
bool dump_task_tree_on_sigquit_if_asked(EventLoop& loop);

} // namespace detail

// asyncio.run(main) with Ctrl-C handled: a new loop, main as a task, the
// leftovers cancelled, the loop closed; main's result. Interrupted when a
// SIGINT cancelled main and main let the cancel through. RuntimeError when a
// loop already runs in this thread.
template <class T>
T run_interruptible(Coro<T> main, bool debug = false) {
    if (detail::running_loop() != nullptr)
        throw RuntimeError("run_interruptible() cannot be called from a running event loop");
    //@exercise ch13.run_interruptible  run() with a SIGINT catcher around the run and the clean-up.
    EventLoop loop(LoopOptions{.debug = debug});
    Task<T> main_task = create_task(loop, std::move(main));
    {
        detail::SigintCatcher sigint(loop, main_task.base());
        std::exception_ptr error;
        try {
            run_until_complete(loop, Future<T>(main_task));
        } catch (...) {
            error = std::current_exception();
        }
        detail::cancel_all_tasks(loop);
        sigint.finish(error);
    }
    loop.close();
    return main_task.result();
    //@end
}

} // namespace aio
