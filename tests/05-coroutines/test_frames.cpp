// Graded tests: the frame stack and its trampoline, driven by hand with no
// task and no loop (inline_driver.hpp): how far one run() goes, what stops
// it, how a pending future is handed over and its result collected, and what
// await_ready refuses or answers at once (an empty Coro, a done future).
#include <gtest/gtest.h>

#include <coroutine>
#include <string>

#include "coro.hpp"
#include "inline_driver.hpp"
#include "task.hpp"
#include "task_test_helpers.hpp"

using aio::Coro;
using aio::detail::InlineDriver;
using aio::detail::Suspension;
using looplab::Events;
using looplab::VirtualLoop;

namespace {

// A test's own awaiter: it suspends the frame and tells the frame stack "wait
// for the loop", as sleep(0s) does, without any of the chapter's awaiters.
struct Pause {
    bool await_ready() const noexcept { return false; }
    template <class P>
    void await_suspend(std::coroutine_handle<P> frame) {
        frame.promise().frames().yield_to_loop();
    }
    void await_resume() const noexcept {}
};

Coro<void> pauses_twice(Events* events) {
    events->push_back("part 1");
    co_await Pause{};
    events->push_back("part 2");
    co_await Pause{};
    events->push_back("part 3");
    co_await Pause{};
}

Coro<void> suspends_foreign(Events* events) {
    events->push_back("before");
    co_await std::suspend_always{};
    events->push_back("after");
}

} // namespace

TEST(Trampoline, ResumesTheRootUntilItWaitsForTheLoop) {
    Events events;
    InlineDriver<void> driver(pauses_twice(&events));
    EXPECT_TRUE(events.empty()) << "ch05.trampoline: nothing runs before the first run()";
    EXPECT_FALSE(driver.run()) << "ch05.trampoline: a frame that waits is not finished";
    EXPECT_EQ(events, (Events{"part 1"}))
        << "ch05.trampoline: run() must resume the top frame and return when it waits";
    EXPECT_EQ(driver.frames().suspension(), Suspension::YIELD)
        << "ch05.trampoline: the awaiter's note says why the frames stopped";
    driver.run();
    EXPECT_EQ(events, (Events{"part 1", "part 2"}))
        << "ch05.trampoline: each run() resumes the frame once more, from where it stopped";
}

TEST(Trampoline, StopsWithNoneWhenAForeignAwaiterSuspends) {
    Events events;
    InlineDriver<void> driver(suspends_foreign(&events));
    EXPECT_FALSE(driver.run()) << "ch05.trampoline: a suspended frame is not finished";
    EXPECT_EQ(driver.frames().suspension(), Suspension::NONE)
        << "ch05.trampoline: reset the note to NONE before each resume, so a frame suspended by "
           "an awaiter that is not the kit's is recognised (the task reports bad yield)";
    EXPECT_EQ(events, (Events{"before"})) << "ch05.trampoline: resumed once, stopped there";
}

namespace {

Coro<int> returns_one() {
    co_return 1;
}

Coro<void> calls_then_suspends_foreign(Events* events) {
    int value = co_await returns_one(); // a CALL and a RETURN in this same run()
    events->push_back("child gave " + std::to_string(value));
    co_await std::suspend_always{};
    events->push_back("after");
}

} // namespace

// The note a child's RETURN left belongs to that resume only: the parent, resumed
// and then suspended by a foreign awaiter, must be seen as NONE, not as RETURN.
TEST(Trampoline, AForeignSuspensionRightAfterAChildReturnedStopsWithNone) {
    Events events;
    InlineDriver<void> driver(calls_then_suspends_foreign(&events));
    EXPECT_FALSE(driver.run()) << "ch05.trampoline: the suspended parent is not finished";
    EXPECT_EQ(events, (Events{"child gave 1"}))
        << "ch05.trampoline: the parent, suspended by a foreign awaiter after its child "
           "returned, must not be resumed again in the same run(): reset the note to NONE "
           "before every resume, not once before the loop (a stale RETURN resumed it)";
    EXPECT_EQ(driver.frames().suspension(), Suspension::NONE)
        << "ch05.trampoline: a foreign awaiter leaves no note: NONE";
}

namespace {

Coro<void> yields_once(Events* events) {
    events->push_back("before");
    co_await aio::detail::YieldAwaiter{};
    events->push_back("after");
}

} // namespace

TEST(Trampoline, AYieldAsksTheDriverForOneLoopTurn) {
    Events events;
    InlineDriver<void> driver(yields_once(&events));
    EXPECT_FALSE(driver.run()) << "ch05.yield: a yield suspends the frame";
    EXPECT_EQ(driver.frames().suspension(), Suspension::YIELD)
        << "ch05.yield: the note must say YIELD: the task steps again on the next pass";
    EXPECT_TRUE(driver.run()) << "ch05.yield: resumed, the coroutine runs to its end";
    EXPECT_EQ(events, (Events{"before", "after"})) << "ch05.yield: one suspension, then the rest";
}

namespace {

Coro<int> awaits_future(Events* events, aio::Future<int> future) {
    events->push_back("awaiting");
    int value = co_await future;
    events->push_back("got " + std::to_string(value));
    co_return value + 1;
}

} // namespace

TEST(FutureAwaiter, HandsAPendingFutureToTheFrameStack) {
    VirtualLoop v;
    Events events;
    aio::Future<int> future(v.loop);
    InlineDriver<int> driver(awaits_future(&events, future));
    EXPECT_FALSE(driver.run()) << "ch05.future_awaiter: co_await on a pending future suspends";
    EXPECT_EQ(driver.frames().suspension(), Suspension::FUTURE)
        << "ch05.future_awaiter: the frame stack must be told that the frames wait for a future";
    EXPECT_EQ(driver.frames().take_awaited(), future.state())
        << "ch05.future_awaiter: the frame stack must hold the awaited future, for the task to "
           "subscribe to it";
    future.set_result(41);
    EXPECT_TRUE(driver.run()) << "ch05.future_awaiter: resumed after the future is done, the "
                                 "coroutine runs to its end";
    EXPECT_EQ(driver.result(), 42) << "ch05.future_awaiter: await_resume returns the result";
    EXPECT_EQ(events, (Events{"awaiting", "got 41"}))
        << "ch05.future_awaiter: suspended at the co_await, resumed with the value";
}

TEST(Coro, AwaitingAnEmptyCoroIsARuntimeError) {
    std::string outcome = aio::detail::run_inline([]() -> Coro<std::string> {
        Coro<int> empty;
        try {
            co_await empty;
        } catch (const aio::RuntimeError& error) {
            co_return error.what();
        }
        co_return "awaited";
    }());
    EXPECT_EQ(outcome, "co_await on an empty Coro (moved from?)")
        << "ch05.coro_ready: an empty (moved-from) Coro cannot run: RuntimeError at the co_await";
}

namespace {

Coro<int> awaits_done(aio::Future<int> future) {
    co_return co_await future + 1;
}

} // namespace

TEST(FutureAwaiter, ADoneFutureGivesItsResultWithoutSuspending) {
    VirtualLoop v;
    aio::Future<int> ready(v.loop);
    ready.set_result(41);
    EXPECT_EQ(aio::detail::run_inline(awaits_done(ready)), 42)
        << "ch05.await_result: co_await on a done future is its result, with no suspension";
    aio::Future<int> failed(v.loop);
    failed.set_exception(std::make_exception_ptr(aio::ValueError("no")));
    EXPECT_THROW(aio::detail::run_inline(awaits_done(failed)), aio::ValueError)
        << "ch05.await_result: co_await on a failed future throws its exception";
}
