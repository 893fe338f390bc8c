// Given: one watcher list per loop on the hooks chapters 03 and 05 left for
// chapter 13 (every callback, and which task step it runs), so that debug
// mode and the tracer can watch the same loop at once.
#pragma once

#include <string>
#include <vector>

#include "coro.hpp"
#include "event_loop.hpp"
#include "task.hpp"

namespace aio::detail {

// What debug mode and the tracer are told, all on the loop's thread: a
// callback starts; it turns out to run a task's step; it ends (thrown or not).
class CallbackWatcher {
public:
    virtual void callback_started() {}
    virtual void task_step_started(const TaskBase& task) { (void)task; }
    virtual void callback_ended() {}
    // The running callback as the slow-callback report names it; "" if this
    // watcher has no name for it.
    virtual std::string handle_repr() const { return {}; }

protected:
    ~CallbackWatcher() = default;
};

// The loop extension that sits on chapter 03's callback observer and chapter
// 05's step observer while it has watchers, and passes on what it is told.
// With no watcher it is off the hooks: the loop pays its one branch only.
class LoopWatch final : public CallbackObserver, public StepObserver {
public:
    explicit LoopWatch(EventLoop& loop)
        : loop_(loop), registry_(loop.extension<TaskRegistry>()) {} // created first, dies last
    ~LoopWatch() {
        watchers_.clear();
        update_hooks();
    }
    LoopWatch(const LoopWatch&) = delete;
    LoopWatch& operator=(const LoopWatch&) = delete;

    void add(CallbackWatcher& watcher);
    void remove(CallbackWatcher& watcher);

private:
    void callback_started() override;
    void callback_ended() override;
    void task_step_started(const TaskBase& task) override;
    std::string running_handle() const override;
    void update_hooks(); // on the loop's hooks exactly while there are watchers
    template <class Call>
    void tell_each(Call call);

    EventLoop& loop_;
    TaskRegistry& registry_;
    std::vector<CallbackWatcher*> watchers_;
};

// "client.cpp:42": the file without its folders, and the line.
std::string short_location(SourceLocation where);

} // namespace aio::detail
