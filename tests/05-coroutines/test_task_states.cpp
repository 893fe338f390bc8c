// Graded tests: a task's states and the steps between them (task.hpp's enum
// TaskBase::State): created and queued, ended as its root ended, stepped
// again after a yield, ended by a foreign await; and the invariant's assert.
#include <gtest/gtest.h>

#include <coroutine>
#include <exception>
#include <string>
#include <vector>

#include "inline_driver.hpp"
#include "lifetime.hpp"
#include "task.hpp"
#include "task_test_helpers.hpp"

using aio::Coro;
using aio::Task;
using State = aio::TaskBase::State;
using looplab::Counted;
using looplab::Events;
using looplab::LifetimeCounts;
using looplab::VirtualLoop;

// Test-only access to a task's private steps (a friend of TaskBase).
struct aio::detail::TaskProbe {
    static void complete(TaskBase& task, std::exception_ptr error) { task.complete(error); }
    static void queue_extra_step(TaskBase& task) { task.queue_step(); }
    // Takes a task out of its loop's registry, so that a test of create_task
    // alone does not reach the loop's clean-up of pending tasks (ch05.close).
    static void unregister(TaskBase& task) { task.registry().remove(task.number_); }
};
using aio::detail::TaskProbe;

namespace {

Coro<void> holds(Counted counted, Events* events) {
    (void)counted;
    events->push_back("body ran");
    co_return;
}

Coro<int> one() {
    co_return 1;
}

} // namespace

TEST(Task, CreateTaskQueuesTheFirstStepAndNamesTheTask) {
    Events events; // declared before the loop: the loop's clean-up may still touch them
    LifetimeCounts counts;
    VirtualLoop v;
    Task<void> first = aio::create_task(v.loop, holds(Counted(counts), &events));
    Task<void> named = aio::create_task(v.loop, holds(Counted(counts), &events), "named");
    EXPECT_EQ(first.base().state(), State::CREATED)
        << "ch05.start: a new task is CREATED, its first step queued";
    EXPECT_EQ(first.get_name(), "Task-1") << "ch05.start: an unnamed task is Task-<its number>";
    EXPECT_EQ(named.get_name(), "named") << "ch05.start: a given name is kept";
    EXPECT_TRUE(events.empty()) << "ch05.start: create_task must not run the body";
    EXPECT_EQ(counts.alive(), 2) << "ch05.start: each task holds its root frame until it ends";
    TaskProbe::unregister(first.base());
    TaskProbe::unregister(named.base());
}

TEST(Task, TheRegistryListsPendingTasksInCreationOrder) {
    Events events; // declared before the loop: the loop's clean-up may still touch them
    LifetimeCounts counts;
    VirtualLoop v;
    std::vector<Task<void>> tasks;
    for (const char* name : {"a", "b", "c"})
        tasks.push_back(aio::create_task(v.loop, holds(Counted(counts), &events), name));
    Events names;
    for (const auto& task : v.loop.extension<aio::detail::TaskRegistry>().pending())
        names.push_back(task->get_name());
    EXPECT_EQ(names, (Events{"a", "b", "c"}))
        << "ch05.pending: every pending task of the loop, in creation order";
    for (auto& task : tasks)
        TaskProbe::unregister(task.base());
    EXPECT_TRUE(v.loop.extension<aio::detail::TaskRegistry>().pending().empty())
        << "ch05.pending: a task that left the registry is not listed";
}

TEST(Task, EnteringATaskWhileAnotherRunsIsARuntimeError) {
    Events events; // declared before the loop: the loop's clean-up may still touch them
    LifetimeCounts counts;
    VirtualLoop v;
    Task<void> a = aio::create_task(v.loop, holds(Counted(counts), &events), "a");
    Task<void> b = aio::create_task(v.loop, holds(Counted(counts), &events), "b");
    auto& registry = v.loop.extension<aio::detail::TaskRegistry>();
    registry.enter(&a.base());
    EXPECT_EQ(registry.current(), &a.base()) << "ch05.enter: the entered task is the current one";
    try {
        registry.enter(&b.base());
        ADD_FAILURE() << "ch05.enter: entering b while a runs must be refused";
    } catch (const aio::RuntimeError& error) {
        EXPECT_STREQ(error.what(),
                     "Cannot enter into task b while another task a is being executed.")
            << "ch05.enter: asyncio's message, naming both tasks";
    }
    EXPECT_EQ(registry.current(), &a.base()) << "ch05.enter: a refused enter changes nothing";
    registry.leave();
    registry.enter(&b.base());
    EXPECT_EQ(registry.current(), &b.base()) << "ch05.enter: after leave(), another task enters";
    registry.leave();
    TaskProbe::unregister(a.base());
    TaskProbe::unregister(b.base());
}

TEST(Task, ALoopClosedBeforeTheFirstStepFreesItsTasks) {
    LifetimeCounts counts;
    Events events;
    {
        VirtualLoop v;
        looplab::RecordedReports reports(v.loop);
        (void)aio::create_task(v.loop, holds(Counted(counts), &events), "early");
        v.loop.close();
        EXPECT_EQ(counts.alive(), 0)
            << "ch05.close: closing the loop destroys the frames of its pending tasks: "
            << counts.summary();
        EXPECT_EQ(reports.messages, (Events{"Task was destroyed but it is pending! (early)"}))
            << "ch05.close: one report per pending task, through the exception handler";
    }
    EXPECT_TRUE(events.empty()) << "ch05.close: the body of a task never stepped never runs";
}

TEST(Task, CreateTaskRefusesAnEmptyOrFinishedCoroAndAClosedLoop) {
    VirtualLoop v;
    Coro<int> empty;
    EXPECT_THROW(aio::create_task(v.loop, std::move(empty)), aio::ValueError)
        << "ch05.start: an empty Coro is a ValueError";
    Coro<int> used = one();
    std::string outcome = aio::detail::run_inline([](Coro<int>* coro) -> Coro<std::string> {
        co_await *coro; // finishes it
        co_return "ran";
    }(&used));
    ASSERT_EQ(outcome, "ran") << "ch05.coro_await: the set-up awaited the Coro to its end";
    try {
        aio::create_task(v.loop, std::move(used));
        ADD_FAILURE() << "ch05.start: a finished Coro must be refused";
    } catch (const aio::RuntimeError& error) {
        EXPECT_STREQ(error.what(), "cannot reuse already awaited coroutine")
            << "ch05.start: a finished Coro is asyncio's RuntimeError";
    }
    aio::EventLoop closed;
    closed.close();
    EXPECT_THROW(aio::create_task(closed, one()), aio::RuntimeError)
        << "ch05.start: a closed loop refuses the first step";
    LifetimeCounts counts;
    Events events;
    EXPECT_THROW(aio::create_task(closed, holds(Counted(counts), &events)), aio::RuntimeError)
        << "ch05.start: a closed loop refuses the first step";
    EXPECT_EQ(counts.alive(), 0)
        << "ch05.start: a task the closed loop refused must not be registered (queue the first "
           "step before registering): nothing may keep its frame alive; "
        << counts.summary();
}

TEST(Task, CompleteEndsTheTaskAsItsRootEnded) {
    Events events; // declared before the loop: the loop's clean-up may still touch them
    LifetimeCounts counts;
    VirtualLoop v;
    Task<void> fine = aio::create_task(v.loop, holds(Counted(counts), &events));
    Task<void> failed = aio::create_task(v.loop, holds(Counted(counts), &events));
    Task<void> stopped = aio::create_task(v.loop, holds(Counted(counts), &events));
    TaskProbe::complete(fine.base(), nullptr);
    TaskProbe::complete(failed.base(), std::make_exception_ptr(aio::ValueError("broke")));
    TaskProbe::complete(stopped.base(), std::make_exception_ptr(aio::CancelledError("why")));
    EXPECT_TRUE(fine.done() && !fine.cancelled() && fine.exception() == nullptr)
        << "ch05.complete: a root that returned gives the task its result";
    EXPECT_THROW(failed.result(), aio::ValueError)
        << "ch05.complete: a root that threw gives the task that exception";
    EXPECT_TRUE(stopped.cancelled()) << "ch05.complete: a CancelledError ends the task cancelled";
    EXPECT_EQ(looplab::cancel_message_of(aio::Future<void>(stopped)), "why")
        << "ch05.complete: with the CancelledError's message";
    EXPECT_EQ(fine.base().state(), State::DONE) << "ch05.complete: the task is DONE";
    EXPECT_EQ(counts.alive(), 0) << "ch05.complete: an ended task frees its frames at once: "
                                 << counts.summary();
    looplab::RecordedReports reports(v.loop);
    v.loop.close();
    EXPECT_TRUE(reports.messages.empty())
        << "ch05.complete: an ended task leaves the loop's registry, so closing the loop finds "
           "no pending task to report";
}

namespace {

Coro<void> yields_twice(Events* events) {
    events->push_back("task 1");
    co_await aio::detail::YieldAwaiter{};
    events->push_back("task 2");
    co_await aio::detail::YieldAwaiter{};
    events->push_back("task 3");
}

Coro<void> awaits_foreign(Counted counted, Events* events) {
    (void)counted;
    events->push_back("before");
    co_await std::suspend_always{};
    events->push_back("after");
}

} // namespace

TEST(Task, AYieldingTaskStepsAgainOnTheNextPass) {
    Events events; // declared before the loop: the loop's clean-up may still touch them
    VirtualLoop v;
    Task<void> task = aio::create_task(v.loop, yields_twice(&events));
    v.loop.call_soon([&] {
        events.push_back("callback 1");
        v.loop.call_soon([&] { events.push_back("callback 2"); });
    });
    v.loop.run_once();
    EXPECT_EQ(task.base().state(), State::SCHEDULED)
        << "ch05.follow_up: after a yield the task is SCHEDULED: its next step is queued";
    ASSERT_TRUE(looplab::run_until_done(v.loop, aio::Future<void>(task)))
        << "ch05.follow_up: a yielding task must be stepped again until it ends";
    EXPECT_EQ(events, (Events{"task 1", "callback 1", "task 2", "callback 2", "task 3"}))
        << "ch05.follow_up: a yield gives the loop exactly one turn (call_soon the next step)";
}

TEST(Task, AForeignAwaiterEndsTheTaskWithBadYield) {
    Events events; // declared before the loop: the loop's clean-up may still touch them
    LifetimeCounts counts;
    VirtualLoop v;
    Task<void> task = aio::create_task(v.loop, awaits_foreign(Counted(counts), &events));
    ASSERT_TRUE(looplab::run_until_done(v.loop, aio::Future<void>(task)))
        << "ch05.follow_up: a task suspended by a foreign awaiter must end, not hang";
    try {
        task.result();
        ADD_FAILURE() << "ch05.follow_up: the task must end with a RuntimeError";
    } catch (const aio::RuntimeError& error) {
        EXPECT_NE(std::string(error.what()).find("Task got bad yield"), std::string::npos)
            << "ch05.follow_up: the error says \"Task got bad yield\", got: " << error.what();
    }
    EXPECT_EQ(events, (Events{"before"})) << "ch05.follow_up: the frame is never resumed";
    EXPECT_EQ(counts.alive(), 0) << "ch05.follow_up: its frames are destroyed";
}

namespace {

Coro<int> waits_for(aio::Future<int> future) {
    co_return co_await future;
}

} // namespace

// The invariant "waiting on a future, or a step scheduled, never both" is an
// assert: a step queued behind the task's back while it waits must abort.
TEST(TaskInvariant, AStepQueuedWhileWaitingFiresTheAssert) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            VirtualLoop v;
            aio::Future<int> future(v.loop);
            Task<int> task = aio::create_task(v.loop, waits_for(future));
            v.loop.run_once(); // the first step: the task is WAITING on future
            TaskProbe::queue_extra_step(task.base());
            v.loop.run_once();
        },
        "waiting on a future, or a step is scheduled, never both")
        << "the invariant's assert must fire (tests build with assertions on)";
}
