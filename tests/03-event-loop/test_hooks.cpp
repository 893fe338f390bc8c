// Graded tests: the hooks later chapters build on (extension, lifetime, the tracer).
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "event_loop.hpp"

using namespace std::chrono_literals;
using aio::EventLoop;

namespace {
std::vector<std::string>* teardown_log = nullptr; // set by the test that reads it

struct Registry { // stands in for chapter 05's registry of live tasks
    explicit Registry(EventLoop& loop) : owner(&loop) {}
    ~Registry() { teardown_log->push_back("extension"); }
    EventLoop* owner;
    int tasks = 0;
};

struct LogsOnDestruction {
    ~LogsOnDestruction() { teardown_log->push_back("queued callback"); }
};
} // namespace

TEST(Hooks, ExtensionsLiveInTheLoopAndDieBeforeItsQueuedCallbacks) {
    std::vector<std::string> log;
    teardown_log = &log;
    std::weak_ptr<const void> lifetime;
    {
        EventLoop loop;
        lifetime = loop.lifetime();
        Registry& registry = loop.extension<Registry>();
        EXPECT_EQ(registry.owner, &loop) << "created as T(EventLoop&)";
        registry.tasks = 3;
        EXPECT_EQ(loop.extension<Registry>().tasks, 3) << "one instance per loop";
        auto guard = std::make_shared<LogsOnDestruction>();
        loop.call_soon([guard] {});
        loop.call_later(1h, [guard] {});
        EXPECT_FALSE(lifetime.expired()) << "lifetime() does not expire while the loop exists";
    }
    EXPECT_TRUE(lifetime.expired()) << "lifetime() expires with the loop";
    EXPECT_EQ(log, (std::vector<std::string>{"extension", "queued callback"}))
        << "extensions are destroyed first, before the queued callbacks and timers";
    teardown_log = nullptr;
}

TEST(Hooks, TheTracerSeesWhatEachPassDid) {
    aio::VirtualClock clock;
    EventLoop loop({.clock = &clock});
    std::vector<aio::IterationTrace> traces;
    loop.set_tracer([&](const aio::IterationTrace& trace) { traces.push_back(trace); });
    loop.call_soon([] {});
    loop.call_soon([] {});
    loop.call_later(5s, [] {});
    loop.run_once();
    loop.run_once();
    ASSERT_EQ(traces.size(), 2u) << "one trace per pass";
    EXPECT_EQ(traces[0].ready, 2u)
        << "ch03.run_iteration: trace.ready counts the callbacks queued when the pass began";
    EXPECT_EQ(traces[0].timeout, aio::Duration::zero()) << "callbacks ready: select must not wait";
    EXPECT_EQ(traces[0].ran, 2u)
        << "ch03.run_iteration: trace.ran counts the callbacks the pass ran";
    EXPECT_EQ(traces[1].ready, 0u) << "ch03.run_iteration: pass 2 begins with nothing queued";
    EXPECT_EQ(traces[1].timeout, aio::Duration(5s)) << "nothing ready: wait for the next timer";
    EXPECT_EQ(traces[1].timers_due, 1u)
        << "ch03.run_iteration: trace.timers_due counts the timers moved to the ready queue";
    EXPECT_EQ(traces[1].ran, 1u) << "ch03.run_iteration: the due timer ran in pass 2";
}
