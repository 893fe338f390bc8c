// Debug mode's reports with their origins (asyncio: base_events._format_handle
// names the task a step belongs to; coroutines.py's origin tracking).
#include "debug_mode.hpp"

namespace aio {

DebugMode::DebugMode(EventLoop& loop) : loop_(loop) {
    hook(true);
}

DebugMode::~DebugMode() {
    hook(false);
}

// Four hooks: the loop's debug flag (chapter 03), the callback watchers (the
// slow step's name), the registry's describer (the task reports) and this
// thread's coroutine origin tracker (asyncio: set_coroutine_origin_tracking_depth).
// After a close() the loop's extensions are new ones: asking for them again is
// harmless.
void DebugMode::hook(bool on) {
    //@exercise ch13.debug_hooks  On: take the four hooks, noting what was there. Off: give it back.
    //@stub if (on) throw NotImplemented("ch13.debug_hooks");
    detail::TaskRegistry& tasks = loop_.extension<detail::TaskRegistry>();
    detail::LoopWatch& watch = loop_.extension<detail::LoopWatch>();
    if (on) {
        was_debug_ = loop_.get_debug();
        previous_describer_ = tasks.describer();
        previous_tracker_ = detail::coroutine_origin_tracker;
        loop_.set_debug(true);
        watch.add(*this);
        tasks.set_describer(this);
        detail::coroutine_origin_tracker = this;
        return;
    }
    detail::coroutine_origin_tracker = previous_tracker_;
    tasks.set_describer(previous_describer_);
    watch.remove(*this);
    loop_.set_debug(was_debug_);
    //@end
}

void DebugMode::callback_started() {
    note_step(nullptr);
}

void DebugMode::task_step_started(const TaskBase& task) {
    note_step(&task);
}

// The running callback's name for the slow-callback report: "<Task step
// 'crawl-3' fetch_one created at client.cpp:42>" while a task step runs
// (without " ... created at ..." for a task made outside debug mode), "" for
// a plain callback (the loop then says "<Handle>").
void DebugMode::note_step(const TaskBase* task) {
    //@exercise ch13.slow_step  Name the task step that runs in this callback; none: forget the last.
    if (task == nullptr) { // a new callback: plain, until a task's step starts in it
        step_.clear();
        return;
    }
    step_ = "<Task step '" + task->get_name() + "'";
    if (task->created_at().line != 0)
        step_ += std::string(" ") + task->coroutine_name() + " created at " +
                 detail::short_location(task->created_at());
    step_ += ">";
    //@end
}

std::string DebugMode::handle_repr() const {
    return step_;
}

// asyncio: the RuntimeWarning "coroutine ... was never awaited", here through
// the loop's exception handler. Called from a destructor: nothing may escape.
void DebugMode::never_awaited(SourceLocation created) noexcept {
    //@exercise ch13.never_awaited  Report the coroutine by its function and where it was made.
    //@stub (void)NotImplemented("ch13.never_awaited"); // names the exercise on stderr; no throw
    try {
        loop_.call_exception_handler({"coroutine " + std::string(created.function) +
                                          " was never awaited (created at " +
                                          detail::short_location(created) + ")",
                                      nullptr});
    } catch (...) {
        // the handler falls back to the default itself; bad_alloc stays here
    }
    //@end
}

// "task 'crawl-3' created at crawler.cpp:88" (asyncio prints the task's
// repr and, in debug mode, the traceback where it was created).
std::string DebugMode::describe(const TaskBase& task) const {
    //@exercise ch13.describe_task  The task's name in quotes, and where it was created if kept.
    std::string described = "task '" + task.get_name() + "'";
    if (task.created_at().line != 0)
        described += " created at " + detail::short_location(task.created_at());
    return described;
    //@end
}

} // namespace aio
