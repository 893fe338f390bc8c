// Graded tests: a task's identity and lifetime: current_task(), awaiting
// itself, kept alive by its loop without any handle, freed when the loop closes.
#include <gtest/gtest.h>

#include <optional>

#include <memory>
#include <string>

#include "lifetime.hpp"
#include "task.hpp"
#include "task_test_helpers.hpp"

using aio::Coro;
using aio::Task;
using looplab::Counted;
using looplab::Events;
using looplab::LifetimeCounts;
using looplab::VirtualLoop;
using namespace std::chrono_literals;

namespace {

Coro<void> log_one(Events* events, std::string name) {
    events->push_back(name);
    co_return;
}

} // namespace

namespace {

Coro<void> current_task_probe(Events* events, std::shared_ptr<aio::TaskBase*> expected) {
    co_await aio::detail::YieldAwaiter{}; // the handle is known by now
    events->push_back(aio::current_task() == *expected ? "is current" : "is not current");
    aio::Future<void> later(aio::get_running_loop());
    aio::get_running_loop().call_soon([later]() mutable { later.set_result(); });
    co_await later;
    co_await log_one(events, aio::current_task() == *expected ? "still current" : "lost");
}

} // namespace

TEST(Task, CurrentTaskIsTheTaskWhoseStepRuns) {
    VirtualLoop v;
    Events events;
    EXPECT_EQ(aio::current_task(), nullptr) << "ch05.current_task: outside a loop: nullptr";
    auto expected = std::make_shared<aio::TaskBase*>(nullptr);
    Task<void> task = aio::create_task(v.loop, current_task_probe(&events, expected));
    *expected = &task.base();
    v.loop.call_soon([&] { events.push_back(aio::current_task() ? "leaked" : "none between"); });
    ASSERT_TRUE(looplab::run_until_done(v.loop, aio::Future<void>(task)))
        << "ch05.current_task: the task must run to its end";
    EXPECT_EQ(events, (Events{"none between", "is current", "still current"}))
        << "ch05.current_task: current_task() is the running task during each of its steps, "
           "nullptr in plain callbacks between them";
}

namespace {

Coro<void> awaits_itself(std::shared_ptr<Task<void>> self, std::string* outcome) {
    co_await aio::detail::YieldAwaiter{}; // self is set by now
    try {
        co_await *self;
        *outcome = "awaited itself";
    } catch (const aio::RuntimeError& error) {
        *outcome = error.what();
    }
    self.reset();
}

} // namespace

TEST(Task, AwaitingItselfIsARuntimeError) {
    VirtualLoop v;
    std::string outcome;
    Events ignored;
    auto self = std::make_shared<Task<void>>(aio::create_task(v.loop, log_one(&ignored, "x")));
    *self = aio::create_task(v.loop, awaits_itself(self, &outcome));
    Task<void> task = *self;
    self.reset();
    ASSERT_TRUE(looplab::run_until_done(v.loop, aio::Future<void>(task)))
        << "ch05.wakeup: a task awaiting itself would wait forever";
    EXPECT_EQ(outcome.rfind("Task cannot await on itself", 0), 0u)
        << "ch05.wakeup: a RuntimeError \"Task cannot await on itself: NAME\" is thrown into the "
           "coroutine at its co_await; got: "
        << outcome;
}

namespace {

Coro<std::string> awaits_foreign_future(aio::Future<int> foreign) {
    try {
        co_await foreign;
    } catch (const aio::RuntimeError& error) {
        co_return error.what();
    }
    co_return "awaited a future of another loop";
}

} // namespace

TEST(Task, AwaitingAFutureOfAnotherLoopIsARuntimeError) {
    VirtualLoop v;
    VirtualLoop other;
    aio::Future<int> foreign(other.loop);
    Task<std::string> task = aio::create_task(v.loop, awaits_foreign_future(foreign), "mixer");
    ASSERT_TRUE(looplab::run_until_done(v.loop, aio::Future<std::string>(task)))
        << "ch05.wakeup: a task awaiting a future of another loop would wait forever";
    EXPECT_EQ(task.result(), "Task mixer got a Future attached to a different loop")
        << "ch05.wakeup: the RuntimeError is thrown into the coroutine at its co_await";
}

namespace {

Coro<void> finishes_later(Counted counted, bool* finished) {
    co_await aio::sleep(1s);
    co_await aio::sleep(0s);
    *finished = true;
    (void)counted;
}

} // namespace

TEST(Task, KeepsItselfAliveWhenEveryHandleIsDropped) {
    VirtualLoop v;
    LifetimeCounts counts;
    bool finished = false;
    (void)aio::create_task(v.loop, finishes_later(Counted(counts), &finished));
    aio::Future<void> later(v.loop);
    v.loop.call_later(2s, [later]() mutable { later.set_result(); });
    ASSERT_TRUE(looplab::run_until_done(v.loop, later))
        << "ch05.sleep: the loop must reach the 2 s mark";
    EXPECT_TRUE(finished)
        << "ch05.sleep: a pending task must stay alive without any handle: the loop "
           "(its task registry) holds it until it is done";
    EXPECT_EQ(counts.alive(), 0) << "ch05.complete: once done, the task's frames are freed: "
                                 << counts.summary();
}

namespace {

Coro<void> waits_forever(Counted counted) {
    aio::Future<void> never(aio::get_running_loop());
    co_await never;
    (void)counted;
}

} // namespace

TEST(Task, APendingTaskIsFreedWhenItsLoopCloses) {
    LifetimeCounts counts;
    {
        VirtualLoop v;
        looplab::RecordedReports reports(v.loop);
        Task<void> task = aio::create_task(v.loop, waits_forever(Counted(counts)));
        looplab::run_until_done(v.loop, aio::Future<void>(task), 1s);
        EXPECT_FALSE(task.done()) << "ch05.wakeup: the task waits on a future nobody sets";
        EXPECT_EQ(counts.alive(), 1)
            << "ch05.wakeup: the task is suspended at its co_await, its frame alive";
        v.loop.close();
        EXPECT_EQ(counts.alive(), 0)
            << "ch05.close: closing the loop destroys the frames of its pending tasks: "
            << counts.summary();
        ASSERT_EQ(reports.messages.size(), 1u) << "ch05.close: one report per pending task";
        EXPECT_EQ(reports.messages[0].rfind("Task was destroyed but it is pending!", 0), 0u)
            << "ch05.close: the report says \"Task was destroyed but it is pending!\"";
    }
    EXPECT_EQ(counts.alive(), 0) << "ch05.close: nothing left alive: " << counts.summary();
}

namespace {

Coro<void> waits_on(aio::Future<void> future) {
    co_await future;
}

} // namespace

// The future a task waits on holds its wake-up callback; that callback must
// not own the task (task -> frame -> future -> callback -> task would never be
// freed). Seen when the future outlives the loop that abandoned the task.
TEST(Task, AFutureDoesNotKeepItsWaitingTaskAlive) {
    std::optional<aio::Future<void>> outlives;
    std::weak_ptr<aio::detail::FutureState<void>> watch;
    {
        VirtualLoop v;
        looplab::RecordedReports reports(v.loop);
        outlives.emplace(v.loop);
        Task<void> task = aio::create_task(v.loop, waits_on(*outlives));
        looplab::run_until_done(v.loop, aio::Future<void>(task), 1s);
        EXPECT_FALSE(task.done()) << "ch05.wakeup: the task waits on a future nobody sets";
        watch = task.state();
        v.loop.close();
    }
    EXPECT_TRUE(watch.expired())
        << "ch05.wakeup: the wake-up callback left in the future must hold the task weakly: the "
           "abandoned task is freed though the future it waited on still lives";
    outlives.reset();
}
