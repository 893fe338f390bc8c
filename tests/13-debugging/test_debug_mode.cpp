// Debug mode with origins: a slow task step named by its task and where the
// task was created, a plain callback named as one, and a coroutine never awaited.
#include <gtest/gtest.h>

#include <functional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "debugging.hpp"
#include "task_group.hpp"
#include "virtual_loop.hpp"

using namespace looplab;
using aio::Coro;

namespace {

// Every report the loop's exception handler gets.
struct Reports {
    std::vector<aio::ExceptionContext> contexts;
    explicit Reports(aio::EventLoop& loop) {
        loop.set_exception_handler([this](aio::EventLoop&, const aio::ExceptionContext& context) {
            contexts.push_back(context);
        });
    }
    std::string all() const {
        std::string text;
        for (const auto& context : contexts)
            text += "\n  " + context.message;
        return text.empty() ? " (none)" : text;
    }
};

// A step that blocks the loop: on the virtual clock, time moves inside it.
Coro<void> blocker(aio::VirtualClock& clock, aio::Duration d) {
    clock.advance(d);
    co_return;
}

Coro<void> quick() {
    co_return;
}

constexpr int forgotten_line = __LINE__ + 1;
Coro<int> forgotten() {
    co_return 7;
}

// What debug mode reports of a 150 ms step of blocker, in the task `name`
// that create_task made on this file's `line`.
std::string slow_blocker_step(const std::string& name, int line) {
    return "Executing <Task step '" + name +
           "' blocker created at test_debug_mode.cpp:" + std::to_string(line) +
           "> took 0.150 seconds";
}

} // namespace

TEST(DebugMode, ASlowTaskStepNamesItsTaskAndWhereItWasCreated) {
    VirtualLoop v;
    Reports reports(v.loop);
    aio::DebugMode debug(v.loop);
    const int created_line = __LINE__ + 1;
    auto task = aio::create_task(v.loop, blocker(v.clock, 150ms), "crawl-3");
    v.settle(1s);
    ASSERT_EQ(reports.contexts.size(), 1u)
        << "ch13.slow_step: one report for the slow step, got:" << reports.all();
    EXPECT_EQ(reports.contexts[0].message, slow_blocker_step("crawl-3", created_line))
        << "ch13.slow_step: the report names the task, its coroutine and the line of "
           "create_task";
    EXPECT_EQ(reports.contexts[0].exception, nullptr) << "ch13.slow_step: a warning, no exception";
}

// A TaskGroup's create_task passes its caller's line on: the child was
// created in the group's body, not in task_group.hpp.
TEST(DebugMode, ATaskGroupsChildIsCreatedWhereTheBodyCallsCreateTask) {
    VirtualLoop v;
    Reports reports(v.loop);
    aio::DebugMode debug(v.loop);
    int created_line = 0;
    std::function<Coro<void>(aio::TaskGroup&)> body = [&](aio::TaskGroup& group) -> Coro<void> {
        created_line = __LINE__ + 1;
        group.create_task(blocker(v.clock, 150ms), "child");
        co_return;
    };
    auto parent = aio::create_task(v.loop, aio::task_group(body), "parent");
    v.settle(1s);
    ASSERT_EQ(reports.contexts.size(), 1u)
        << "ch13.slow_step: one report for the child's slow step, got:" << reports.all();
    EXPECT_EQ(reports.contexts[0].message, slow_blocker_step("child", created_line))
        << "ch13.slow_step: a TaskGroup's child names the line of the group's create_task";
}

TEST(DebugMode, ASlowPlainCallbackAfterAStepIsAHandle) {
    VirtualLoop v;
    Reports reports(v.loop);
    aio::DebugMode debug(v.loop);
    auto task = aio::create_task(v.loop, quick(), "quick"); // its step runs first, fast
    v.loop.call_soon([&] { v.clock.advance(200ms); });      // then this one, slow
    v.settle(1s);
    ASSERT_EQ(reports.contexts.size(), 1u)
        << "ch13.slow_step: one report for the slow callback, got:" << reports.all();
    EXPECT_EQ(reports.contexts[0].message, "Executing <Handle> took 0.200 seconds")
        << "ch13.slow_step: a callback that runs no task step is a plain <Handle>, even "
           "right after a task's step (each callback starts with no name)";
}

TEST(DebugMode, ATaskCreatedOutsideDebugModeHasNoOrigin) {
    VirtualLoop v;
    Reports reports(v.loop);
    auto task = aio::create_task(v.loop, blocker(v.clock, 300ms), "early"); // debug mode off
    aio::DebugMode debug(v.loop);
    v.settle(1s);
    ASSERT_EQ(reports.contexts.size(), 1u)
        << "ch13.slow_step: one report for the slow step, got:" << reports.all();
    EXPECT_EQ(reports.contexts[0].message, "Executing <Task step 'early'> took 0.300 seconds")
        << "ch13.slow_step: a task created while the loop was not in debug mode kept no "
           "origin: the step is named by its task alone";
}

TEST(DebugMode, ACoroutineNeverAwaitedIsReportedOnceWithItsFunction) {
    VirtualLoop v;
    Reports reports(v.loop);
    {
        aio::DebugMode debug(v.loop);
        { Coro<int> never = forgotten(); } // created, never awaited, destroyed
        auto task = aio::create_task(v.loop, forgotten(), "runs"); // runs: no report
        v.settle(10ms);
    }
    { Coro<int> untracked = forgotten(); } // debug mode is over: nothing kept, nothing said
    ASSERT_EQ(reports.contexts.size(), 1u)
        << "ch13.never_awaited: exactly one report, for the coroutine that never ran, got:"
        << reports.all();
    std::smatch m;
    const std::string& message = reports.contexts[0].message;
    ASSERT_TRUE(std::regex_match(message, m,
                                 std::regex("coroutine forgotten was never awaited \\(created "
                                            "at test_debug_mode\\.cpp:([0-9]+)\\)")))
        << "ch13.never_awaited: \"coroutine forgotten was never awaited (created at "
           "test_debug_mode.cpp:<line>)\", got \""
        << message << "\"";
    int line = std::stoi(m[1]);
    EXPECT_TRUE(line >= forgotten_line && line <= forgotten_line + 3)
        << "ch13.never_awaited: the line is the coroutine function's (" << forgotten_line
        << "), got " << line;
    EXPECT_EQ(reports.contexts[0].exception, nullptr) << "ch13.never_awaited: no exception";
}

namespace {

Coro<void> fails() {
    throw aio::ValueError("lost");
    co_return;
}

} // namespace

TEST(DebugMode, ClosingTheLoopNamesEachPendingTaskWithItsOrigin) {
    VirtualLoop v;
    Reports reports(v.loop);
    auto early = aio::create_task(v.loop, aio::sleep(10s), "early"); // before debug mode
    aio::DebugMode debug(v.loop);
    const int created_line = __LINE__ + 1;
    auto task = aio::create_task(v.loop, aio::sleep(10s), "crawl-3");
    v.settle(10ms);
    v.loop.close(); // both are still asleep
    ASSERT_EQ(reports.contexts.size(), 2u)
        << "ch13.describe_task: one report per pending task, got:" << reports.all();
    EXPECT_EQ(reports.contexts[0].message, "Task was destroyed but it is pending! (task 'early')")
        << "ch13.describe_task: a task created outside debug mode kept no origin: its name only";
    EXPECT_EQ(reports.contexts[1].message,
              "Task was destroyed but it is pending! (task 'crawl-3' created at "
              "test_debug_mode.cpp:" +
                  std::to_string(created_line) + ")")
        << "ch13.describe_task: the task in quotes, and where create_task was called (the "
           "file without its folders)";
}

TEST(DebugMode, ATaskExceptionNeverRetrievedNamesTheTaskOnce) {
    VirtualLoop v;
    Reports reports(v.loop);
    aio::DebugMode debug(v.loop);
    int created_line = 0;
    {
        created_line = __LINE__ + 1;
        auto task = aio::create_task(v.loop, fails(), "x");
        v.settle(10ms);
    } // the last handle goes: nobody looked at its ValueError
    ASSERT_EQ(reports.contexts.size(), 1u)
        << "ch13.describe_task: one report for the lost exception, got:" << reports.all();
    EXPECT_EQ(reports.contexts[0].message,
              "Task exception was never retrieved (task 'x' created at test_debug_mode.cpp:" +
                  std::to_string(created_line) + ")")
        << "ch13.describe_task: the task in quotes and where it was created";
    EXPECT_NE(reports.contexts[0].exception, nullptr)
        << "ch13.describe_task: the report carries the exception";
}

// Chapter 03's check, seen from chapter 13: DebugMode puts the loop in debug
// mode, where a loop method called from another thread is refused.
TEST(DebugMode, ALoopMethodFromAnotherThreadIsARuntimeError) {
    VirtualLoop v;
    v.loop.set_debug(true); // what DebugMode does first
    std::string what;
    v.loop.call_soon([&] {
        std::thread other([&] {
            try {
                v.loop.call_soon([] {});
            } catch (const aio::RuntimeError& error) {
                what = error.what();
            }
        });
        other.join();
    });
    v.settle(10ms);
    EXPECT_FALSE(what.empty())
        << "debug mode: call_soon from another thread while the loop runs is a RuntimeError";
}

TEST(DebugMode, EndingItGivesBackTheLoopsDebugFlagAndHooks) {
    VirtualLoop one, two;
    two.loop.set_debug(true);
    {
        aio::DebugMode first(one.loop);
        aio::DebugMode second(two.loop);
        EXPECT_TRUE(one.loop.get_debug()) << "ch13.debug_hooks: the loop is in debug mode";
        EXPECT_NE(one.loop.callback_observer(), nullptr)
            << "ch13.debug_hooks: DebugMode watches the loop's callbacks";
    }
    EXPECT_FALSE(one.loop.get_debug())
        << "ch13.debug_hooks: the first loop was not in debug mode before: it is not after";
    EXPECT_TRUE(two.loop.get_debug())
        << "ch13.debug_hooks: the second loop was in debug mode before: it stays so";
    EXPECT_EQ(one.loop.callback_observer(), nullptr)
        << "ch13.debug_hooks: its callback watcher is gone with it";
}

TEST(DebugMode, EndingItGivesTheCoroutineTrackingBack) {
    VirtualLoop one, two;
    Reports reports_one(one.loop), reports_two(two.loop);
    {
        aio::DebugMode outer(one.loop);
        { aio::DebugMode inner(two.loop); }
        { Coro<int> never = forgotten(); } // the outer one watches again
    }
    EXPECT_EQ(reports_one.contexts.size(), 1u)
        << "ch13.debug_hooks: when the inner DebugMode ends, the outer one's coroutine "
           "tracking comes back (got:"
        << reports_one.all() << ")";
    EXPECT_TRUE(reports_two.contexts.empty())
        << "ch13.debug_hooks: nothing reaches the loop whose DebugMode ended, got:"
        << reports_two.all();
}
