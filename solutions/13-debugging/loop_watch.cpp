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

// A watcher that throws is reported, never let out: the hooks run inside the
// loop's pass (callback_ended from a destructor), and watching must not
// change what the loop does.
template <class Call>
void LoopWatch::tell_each(Call call) {
    for (CallbackWatcher* watcher : watchers_) {
        try {
            call(*watcher);
        } catch (...) {
            loop_.call_exception_handler(
                {"Exception in a callback watcher", std::current_exception()});
        }
    }
}

void LoopWatch::callback_started() {
    tell_each([](CallbackWatcher& watcher) { watcher.callback_started(); });
}

void LoopWatch::callback_ended() {
    tell_each([](CallbackWatcher& watcher) { watcher.callback_ended(); });
}

void LoopWatch::task_step_started(const TaskBase& task) {
    tell_each([&task](CallbackWatcher& watcher) { watcher.task_step_started(task); });
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
