// Given: the watcher list behind DebugMode and Tracer (see loop_watch.hpp).
#include "loop_watch.hpp"

#include <algorithm>
#include <cstring>

namespace aio::detail {

void LoopWatch::add(CallbackWatcher& watcher) {
    watchers_.push_back(&watcher);
    update_hooks();
}

void LoopWatch::remove(CallbackWatcher& watcher) {
    std::erase(watchers_, &watcher);
    update_hooks();
}

// On the hooks of chapters 03 and 05 while there is a watcher, off them when
// the last one goes: a loop nobody watches pays its one branch per callback.
void LoopWatch::update_hooks() {
    //@exercise ch13.watch_install  With watchers: on both hooks. Without: off the hooks still ours.
    //@stub if (!watchers_.empty()) throw NotImplemented("ch13.watch_install");
    if (!watchers_.empty()) {
        loop_.set_callback_observer(this);
        registry_.set_step_observer(this);
        return;
    }
    if (loop_.callback_observer() == this) loop_.set_callback_observer(nullptr);
    if (registry_.step_observer() == this) registry_.set_step_observer(nullptr);
    //@end
}

// A watcher that throws is reported, never let out: the hooks run inside the
// loop's pass (callback_ended from a destructor), and watching must not
// change what the loop does.
template <class Call>
void LoopWatch::tell_each(Call call) {
    //@exercise ch13.watch_calls  Tell every watcher; one that throws is reported, the rest still hear.
    //@stub (void)call, (void)NotImplemented("ch13.watch_calls"); // on stderr; no throw
    for (CallbackWatcher* watcher : watchers_) {
        try {
            call(*watcher);
        } catch (...) {
            loop_.call_exception_handler(
                {"Exception in a callback watcher", std::current_exception()});
        }
    }
    //@end
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
