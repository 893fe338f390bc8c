// Graded tests: Task<T>, a Future driving a coroutine one step per loop
// callback (asyncio.Task): when it starts, the order of interleaved steps,
// sleep, awaiting futures and tasks, exceptions through awaited tasks.
#include <gtest/gtest.h>

#include <string>

#include "task.hpp"
#include "task_test_helpers.hpp"

using aio::Coro;
using aio::Task;
using looplab::Events;
using looplab::VirtualLoop;
using namespace std::chrono_literals;

namespace {

// Milliseconds of virtual time since the loop's clock started.
std::string at(aio::EventLoop& loop) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(loop.time() -
                                                                    aio::VirtualClock::start_time);
    return "@" + std::to_string(ms.count());
}

Coro<void> log_one(Events* events, std::string name) {
    events->push_back(name);
    co_return;
}

} // namespace

TEST(Task, StartsOnTheNextIterationNotInline) {
    VirtualLoop v;
    Events events;
    v.loop.call_soon([&] { events.push_back("queued before"); });
    Task<void> task = aio::create_task(v.loop, log_one(&events, "task body"));
    v.loop.call_soon([&] { events.push_back("queued after"); });
    EXPECT_TRUE(events.empty())
        << "ch05.task_step: create_task must not run the coroutine: it schedules the "
           "first step with call_soon";
    EXPECT_FALSE(task.done()) << "ch05.start: a new task is pending";
    ASSERT_TRUE(looplab::run_until_done(v.loop, aio::Future<void>(task)))
        << "ch05.task_step: the task must run to its end";
    EXPECT_EQ(events, (Events{"queued before", "task body", "queued after"}))
        << "ch05.task_step: the first step is an ordinary call_soon callback: FIFO with the others";
}

namespace {

Coro<void> ticker(Events* events, std::string name, int steps) {
    for (int i = 0; i < steps; ++i) {
        events->push_back(name + std::to_string(i));
        co_await aio::sleep(0s);
    }
    events->push_back(name + " done");
}

Coro<void> sleeper(Events* events, std::string name, aio::Duration first, aio::Duration second) {
    aio::EventLoop& loop = aio::get_running_loop();
    events->push_back(name + " start " + at(loop));
    co_await aio::sleep(first);
    events->push_back(name + " woke " + at(loop));
    co_await aio::sleep(second);
    events->push_back(name + " end " + at(loop));
}

Coro<void> both(Events* events) {
    Task<void> a = aio::create_task(ticker(events, "A", 3));
    Task<void> b = aio::create_task(ticker(events, "B", 2));
    Task<void> c = aio::create_task(sleeper(events, "C", 20ms, 0s));
    Task<void> d = aio::create_task(sleeper(events, "D", 10ms, 30ms));
    events->push_back("main awaits");
    co_await a;
    events->push_back("main: A awaited");
    co_await d;
    co_await b; // done already: no suspension
    co_await c;
    events->push_back("main end " + at(aio::get_running_loop()));
}

} // namespace

TEST(Task, InterleavedStepsRunInAnExactOrder) {
    VirtualLoop v;
    Events events;
    looplab::run_in_task(v.loop, both(&events));
    EXPECT_EQ(events, (Events{"main awaits", "A0", "B0", "C start @0", "D start @0", "A1", "B1",
                              "A2", "B done", "A done", "main: A awaited", "D woke @10",
                              "C woke @20", "C end @20", "D end @40", "main end @40"}))
        << "ch05.sleep: tasks take turns in creation order, one step per loop iteration; sleep(0s) "
           "gives "
           "up exactly one turn; an awaiting task resumes one iteration after the task it "
           "awaits finished (the done callback is scheduled with call_soon)";
}

namespace {

Coro<void> yields_once(Events* events) {
    events->push_back("task 1");
    co_await aio::sleep(0s);
    events->push_back("task 2");
}

} // namespace

TEST(Task, SleepZeroYieldsToTheLoopExactlyOnce) {
    VirtualLoop v;
    Events events;
    Task<void> task = aio::create_task(v.loop, yields_once(&events));
    v.loop.call_soon([&] {
        events.push_back("callback 1");
        v.loop.call_soon([&] {
            events.push_back("callback 2");
            v.loop.call_soon([&] { events.push_back("callback 3"); });
        });
    });
    ASSERT_TRUE(looplab::run_until_done(v.loop, aio::Future<void>(task)))
        << "ch05.sleep: the task must run to its end";
    v.loop.call_soon([&] { v.loop.stop(); });
    v.loop.run_forever();
    EXPECT_EQ(events, (Events{"task 1", "callback 1", "task 2", "callback 2", "callback 3"}))
        << "ch05.sleep: sleep(0s) must suspend the task for exactly one loop iteration (asyncio's "
           "bare yield)";
    EXPECT_EQ(v.elapsed(), 0s) << "ch05.sleep: sleep(0s) takes no time";
}

namespace {

Coro<aio::Duration> timed_sleeps() {
    aio::EventLoop& loop = aio::get_running_loop();
    aio::TimePoint start = loop.time();
    co_await aio::sleep(1500ms);
    co_await aio::sleep(250ms);
    co_await aio::sleep(-5s); // negative: like sleep(0s)
    co_return loop.time() - start;
}

} // namespace

TEST(Task, SleepWaitsTheDelayOnTheLoopsClock) {
    VirtualLoop v;
    EXPECT_EQ(looplab::run_in_task(v.loop, timed_sleeps()), 1750ms)
        << "ch05.sleep: sleep(d) resumes the task when a call_later(d) timer resolves the future "
           "it awaits";
    EXPECT_EQ(v.elapsed(), 1750ms)
        << "ch05.sleep: the loop's clock advanced by the sleeps, exactly";
}

namespace {

Coro<int> seven() {
    co_return 7;
}

Coro<std::string> answer_later(aio::Duration delay, std::string text) {
    co_await aio::sleep(delay);
    co_return text;
}

Coro<std::string> awaits_everything() {
    aio::EventLoop& loop = aio::get_running_loop();
    aio::Future<int> future(loop);
    loop.call_later(5ms, [future]() mutable { future.set_result(35); });
    Task<std::string> task = aio::create_task(answer_later(10ms, "task"));
    int from_future = co_await future;
    std::string from_task = co_await task;
    int from_coro = co_await seven();
    aio::Future<int> done_future(loop);
    done_future.set_result(100);
    int from_done = co_await done_future;
    co_return from_task + " " + std::to_string(from_future + from_coro + from_done);
}

} // namespace

TEST(Task, AwaitsFuturesTasksAndCoros) {
    VirtualLoop v;
    EXPECT_EQ(looplab::run_in_task(v.loop, awaits_everything()), "task 142")
        << "ch05.wakeup: co_await works on a Future<T>, a Task<T> and a Coro<T> and yields the "
           "result";
    EXPECT_EQ(v.elapsed(), 10ms)
        << "ch05.wakeup: the awaits overlap: the task ran while the future waited";
}

TEST(Task, IsAFutureOfItsCoroutinesResult) {
    VirtualLoop v;
    Task<std::string> task = aio::create_task(v.loop, answer_later(1s, "hello"), "greeter");
    EXPECT_EQ(task.get_name(), "greeter") << "ch05.start: the name given to create_task";
    EXPECT_THROW(task.set_result("forged"), aio::RuntimeError)
        << "ch05.complete: a task completes itself; set_result from outside is a RuntimeError";
    EXPECT_THROW(task.set_exception(std::make_exception_ptr(aio::ValueError("x"))),
                 aio::RuntimeError)
        << "ch05.complete: a task completes itself; set_exception from outside is a RuntimeError";
    std::string seen_by_callback;
    task.add_done_callback([&](aio::Future<std::string> f) { seen_by_callback = f.result(); });
    ASSERT_TRUE(looplab::run_until_done(v.loop, aio::Future<std::string>(task)))
        << "ch05.sleep: the task must run to its end";
    EXPECT_EQ(task.result(), "hello")
        << "ch05.complete: the task's result is its coroutine's co_return value";
    v.loop.call_soon([&] { v.loop.stop(); });
    v.loop.run_forever();
    EXPECT_EQ(seen_by_callback, "hello")
        << "ch05.complete: a task's done callbacks run as a future's do";
    Task<void> unnamed = aio::create_task(v.loop, aio::sleep(0s));
    EXPECT_EQ(unnamed.get_name().rfind("Task-", 0), 0u)
        << "ch05.complete: default names are Task-<number>";
    looplab::run_until_done(v.loop, aio::Future<void>(unnamed));
}

namespace {

Coro<int> fails_after(aio::Duration delay) {
    co_await aio::sleep(delay);
    throw aio::KeyError("missing key");
}

Coro<std::string> awaits_failing_task() {
    Task<int> child = aio::create_task(fails_after(10ms));
    try {
        co_await child;
    } catch (const aio::KeyError& error) {
        co_return std::string("caught ") + error.what();
    }
    co_return "no exception";
}

Coro<int> lets_it_through() {
    Task<int> child = aio::create_task(fails_after(10ms));
    co_return co_await child;
}

} // namespace

TEST(Task, ExceptionsPropagateThroughAwaitedTasks) {
    VirtualLoop v;
    EXPECT_EQ(looplab::run_in_task(v.loop, awaits_failing_task()), "caught missing key")
        << "ch05.wakeup: co_await on a task that failed rethrows its exception";
    Task<int> outer = aio::create_task(v.loop, lets_it_through());
    ASSERT_TRUE(looplab::run_until_done(v.loop, aio::Future<int>(outer)))
        << "ch05.wakeup: the awaiting task must end";
    EXPECT_FALSE(outer.cancelled())
        << "ch05.complete: an exception ends the task failed, not cancelled";
    EXPECT_THROW(outer.result(), aio::KeyError)
        << "ch05.wakeup: an exception nobody catches finishes the awaiting task too";
}
