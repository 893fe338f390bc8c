// Given: the watcher list behind DebugMode and Tracer (see loop_watch.hpp).
#include "loop_watch.hpp"

#include <algorithm>
#include <cstring>

namespace aio::detail {

void LoopWatch::add(CallbackWatcher& watcher) {
    watchers_.push_back(&watcher);
    loop_.set_callback_observer(this);
    registry_.set_step_observer(this);
}

void LoopWatch::remove(CallbackWatcher& watcher) {
    std::erase(watchers_, &watcher);
    if (watchers_.empty()) uninstall();
}

void LoopWatch::uninstall() {
    if (loop_.callback_observer() == this) loop_.set_callback_observer(nullptr);
    if (registry_.step_observer() == this) registry_.set_step_observer(nullptr);
}

void LoopWatch::callback_started() {
    for (CallbackWatcher* watcher : watchers_)
        watcher->callback_started();
}

// Called from a destructor in the loop's pass: a watcher that throws is
// reported, never let out (it would end the program).
void LoopWatch::callback_ended() {
    for (CallbackWatcher* watcher : watchers_) {
        try {
            watcher->callback_ended();
        } catch (...) {
            loop_.call_exception_handler({"Exception in a callback watcher",
                                          std::current_exception()});
        }
    }
}

void LoopWatch::task_step_started(const TaskBase& task) {
    for (CallbackWatcher* watcher : watchers_)
        watcher->task_step_started(task);
}

std::string LoopWatch::running_handle() const {
    for (const CallbackWatcher* watcher : watchers_)
        if (std::string repr = watcher->handle_repr(); !repr.empty()) return repr;
    return "<Handle>";
}

std::string short_location(SourceLocation where) {
    const char* slash = std::strrchr(where.file, '/');
    const char* file = slash != nullptr ? slash + 1 : where.file;
    return std::string(file) + ":" + std::to_string(where.line);
}

} // namespace aio::detail
