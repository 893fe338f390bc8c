// The watchers of every callback: on the loop's hooks exactly while there is
// one, and a watcher that throws never breaks the loop's pass.
#include <gtest/gtest.h>

#include <string>

#include "debugging.hpp"
#include "virtual_loop.hpp"

using namespace looplab;

namespace {

// Counts what it hears; throws (not a std::exception) if asked to.
struct Counter : aio::detail::CallbackWatcher {
    int started = 0, ended = 0;
    bool throws = false;
    void callback_started() override {
        ++started;
        if (throws) throw 42;
    }
    void callback_ended() override { ++ended; }
};

aio::detail::StepObserver* step_hook(aio::EventLoop& loop) {
    return loop.extension<aio::detail::TaskRegistry>().step_observer();
}

} // namespace

TEST(LoopWatch, TheHooksAreTakenWhileAWatcherIsThereAndGivenBackAfter) {
    VirtualLoop v;
    auto& watch = v.loop.extension<aio::detail::LoopWatch>();
    EXPECT_EQ(v.loop.callback_observer(), nullptr) << "nobody watches a fresh loop";
    Counter a, b;
    watch.add(a);
    EXPECT_NE(v.loop.callback_observer(), nullptr)
        << "ch13.watch_install: with a watcher, the loop's callback hook is taken";
    EXPECT_NE(step_hook(v.loop), nullptr)
        << "ch13.watch_install: with a watcher, the task registry's step hook is taken";
    watch.add(b);
    watch.remove(a);
    EXPECT_NE(v.loop.callback_observer(), nullptr)
        << "ch13.watch_install: one watcher left: the hooks stay taken";
    watch.remove(b);
    EXPECT_EQ(v.loop.callback_observer(), nullptr)
        << "ch13.watch_install: the last watcher gone, the callback hook is given back";
    EXPECT_EQ(step_hook(v.loop), nullptr)
        << "ch13.watch_install: the last watcher gone, the step hook is given back";
}

TEST(LoopWatch, AWatcherThatThrowsIsReportedAndTheOthersStillHear) {
    VirtualLoop v;
    std::vector<std::string> reports;
    v.loop.set_exception_handler([&](aio::EventLoop&, const aio::ExceptionContext& context) {
        reports.push_back(context.message);
    });
    auto& watch = v.loop.extension<aio::detail::LoopWatch>();
    Counter thrower, listener;
    thrower.throws = true;
    watch.add(thrower);
    watch.add(listener);
    bool ran = false;
    v.loop.call_soon([&] { ran = true; });
    v.loop.run_once();
    watch.remove(thrower);
    watch.remove(listener);
    EXPECT_TRUE(ran) << "ch13.watch_calls: a watcher that throws must not stop the callback";
    EXPECT_EQ(listener.started, 1) << "ch13.watch_calls: the next watcher still hears the start";
    EXPECT_EQ(listener.ended, 1) << "ch13.watch_calls: and the end";
    ASSERT_EQ(reports.size(), 1u)
        << "ch13.watch_calls: the watcher's exception goes to the exception handler, once";
    EXPECT_EQ(reports[0], "Exception in a callback watcher") << "ch13.watch_calls: the message";
}
