// Graded tests: Coro<T>, the inline-awaited coroutine (asyncio: `await coro()`):
// lazy, values and exceptions through co_await, a flat machine stack however
// many frames, every frame destroyed once. All but one run without a task or
// a loop (run_inline: a frame stack and the trampoline), so they grade the
// first three exercises before tasks exist.
#include <gtest/gtest.h>

#include <string>

#include "coro.hpp"
#include "inline_driver.hpp"
#include "lifetime.hpp"
#include "task.hpp"
#include "task_test_helpers.hpp"

using aio::Coro;
using aio::detail::run_inline;
using looplab::Counted;
using looplab::Events;
using looplab::LifetimeCounts;
using looplab::VirtualLoop;
using namespace std::chrono_literals;

namespace {

Coro<int> record(Events* events, std::string what, int value) {
    events->push_back(what);
    co_return value;
}

Coro<void> note(Events* events, std::string what) {
    events->push_back(what);
    co_return;
}

Coro<int> fails_at_once() {
    throw aio::KeyError("nothing here");
    co_return 0;
}

Coro<long long> sum_to(int n) {
    if (n == 0) co_return 0;
    co_return n + co_await sum_to(n - 1);
}

Coro<int> one() {
    co_return 1;
}

Coro<void> lazy_then_awaited(Events* events) {
    Coro<int> child = record(events, "child body", 1);
    events->push_back("child created");
    int value = co_await child;
    events->push_back("child returned " + std::to_string(value));
}

} // namespace

TEST(Coro, IsLazyTheBodyRunsOnlyWhenAwaited) {
    Events events;
    Coro<int> never = record(&events, "never awaited", 0);
    EXPECT_TRUE(events.empty()) << "ch05.final_suspend: calling a coroutine function must not run "
                                   "its body (initial_suspend returns std::suspend_always)";
    run_inline(note(&events, "driven"));
    EXPECT_EQ(events, (Events{"driven"}))
        << "ch05.final_suspend: only the driven body ran, once; at its end the root must leave "
           "the frame stack (its parent is null, so the trampoline stops)";
}

TEST(Coro, ReturnsItsValueOrRethrowsItsException) {
    Events events;
    EXPECT_EQ(run_inline(record(&events, "driven", 7)), 7)
        << "ch05.take_result: the co_return value, taken out of the promise";
    EXPECT_THROW(run_inline(fails_at_once()), aio::KeyError)
        << "ch05.take_result: the exception stored by unhandled_exception, rethrown";
}

TEST(Coro, AwaitRunsTheChildAtTheAwaitAndYieldsItsValue) {
    Events events;
    run_inline(lazy_then_awaited(&events));
    EXPECT_EQ(events, (Events{"child created", "child body", "child returned 1"}))
        << "ch05.coro_await: the child's body runs at the co_await, not when it is created, and "
           "its co_return value comes out of the co_await";
}

namespace {

Coro<void> inner_reports_task(Events* events, aio::TaskBase* outer) {
    events->push_back(aio::current_task() == outer ? "inner in the same task" : "other task");
    co_return;
}

Coro<void> awaits_inline(Events* events) {
    aio::get_running_loop().call_soon([events] { events->push_back("loop callback"); });
    events->push_back("before");
    co_await inner_reports_task(events, aio::current_task());
    co_await record(events, "second child", 2);
    events->push_back("after");
}

} // namespace

TEST(Coro, AwaitRunsInlineInTheSameTaskWithoutALoopRoundTrip) {
    VirtualLoop v;
    Events events;
    looplab::run_in_task(v.loop, awaits_inline(&events));
    EXPECT_EQ(events, (Events{"before", "inner in the same task", "second child", "after",
                              "loop callback"}))
        << "ch05.task_step: co_await on a Coro runs the child right away, inside the awaiting "
           "task's step: a callback queued before the await must run only after the whole step";
}

TEST(Coro, ReturnsValuesThroughNestedAwaits) {
    EXPECT_EQ(run_inline(sum_to(10)), 55)
        << "ch05.coro_await: each co_await sum_to(n - 1) must yield the child's co_return value";
}

namespace {

Coro<int> throws_value_error() {
    throw aio::ValueError("bad input");
    co_return 0;
}

Coro<int> passes_it_on(Counted counted) {
    (void)counted;
    co_return co_await throws_value_error() + 1;
}

Coro<std::string> catches_it(LifetimeCounts* counts) {
    try {
        co_await passes_it_on(Counted(*counts));
    } catch (const aio::ValueError& error) {
        co_return std::string("caught: ") + error.what();
    }
    co_return "nothing thrown";
}

} // namespace

TEST(Coro, ExceptionsPropagateThroughNestedAwaits) {
    LifetimeCounts counts;
    EXPECT_EQ(run_inline(catches_it(&counts)), "caught: bad input")
        << "ch05.coro_await: an exception stored by unhandled_exception must be rethrown by the "
           "parent's co_await (await_resume)";
    EXPECT_THROW(run_inline(passes_it_on(Counted(counts))), aio::ValueError)
        << "ch05.coro_await: an exception nobody catches comes out of the root";
    EXPECT_EQ(counts.alive(), 0) << "ch05.coro_await: frames that threw must still be destroyed: "
                                 << counts.summary();
}

namespace {

Coro<void> awaits_twice(std::string* outcome) {
    Coro<int> child = one();
    co_await child;
    try {
        co_await child;
        *outcome = "awaited twice";
    } catch (const aio::RuntimeError& error) {
        *outcome = error.what();
    }
}

} // namespace

TEST(Coro, AwaitingAFinishedCoroAgainIsARuntimeError) {
    std::string outcome;
    run_inline(awaits_twice(&outcome));
    EXPECT_EQ(outcome, "cannot reuse already awaited coroutine")
        << "ch05.coro_ready: a Coro runs once, as a Python coroutine object; the second co_await "
           "must throw RuntimeError";
}

namespace {

Coro<int> leaf(Counted counted, int value) {
    Counted copy(counted); // a local beside the parameter: both live in the frame
    co_return value;
}

Coro<int> middle(LifetimeCounts* counts, int n) {
    Counted local(*counts);
    int total = 0;
    for (int i = 0; i < n; ++i)
        total += co_await leaf(Counted(*counts), i);
    co_return total;
}

} // namespace

TEST(Coro, EveryObjectInAFrameIsDestroyedExactlyOnce) {
    LifetimeCounts counts;
    EXPECT_EQ(run_inline(middle(&counts, 100)), 4950)
        << "ch05.coro_await: the sum of 100 awaited leaves";
    EXPECT_GT(counts.constructed(), 200) << "ch05.coro_await: every leaf ran: " << counts.summary();
    EXPECT_EQ(counts.destroyed, counts.constructed())
        << "ch05.coro_await: each child frame must be destroyed by the Coro that owns it, once it "
           "was awaited: "
        << counts.summary();
}

namespace {

Coro<long> a_million_completed_awaits() {
    long total = 0;
    for (int i = 0; i < 1'000'000; ++i)
        total += co_await one();
    co_return total;
}

} // namespace

TEST(Coro, AMillionSequentialAwaitsDoNotGrowTheStack) {
    long total = 0;
    looplab::run_on_small_stack(256 * 1024,
                                [&] { total = run_inline(a_million_completed_awaits()); });
    EXPECT_EQ(total, 1'000'000)
        << "ch05.coro_await: a million awaits of coroutines that finish at once, on a 256 KiB "
           "stack at -O0: each "
           "resume must return to the task's trampoline, never nest inside the previous one";
}

TEST(Coro, HundredThousandNestedAwaitsDoNotGrowTheStack) {
    long long total = 0;
    looplab::run_on_small_stack(256 * 1024, [&] { total = run_inline(sum_to(100'000)); });
    EXPECT_EQ(total, 100'000LL * 100'001 / 2)
        << "ch05.coro_await: 100,000 frames each awaiting the next, on a 256 KiB stack at -O0: the "
           "child must be "
           "resumed by the trampoline, not from inside the parent's await_suspend";
}
