// Graded tests: running the loop until a future is done (asyncio:
// loop.run_until_complete): exercise ch04.run_until_complete.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>

#include "future.hpp"
#include "future_test_helpers.hpp"

using aio::EventLoop;
using aio::Future;
using aio::run_until_complete;
using namespace std::chrono_literals;

namespace {
constexpr const char* WATCHDOG_FIRED =
    "ch04.run_until_complete: the loop ran on until the test's watchdog stopped it: the done "
    "callback that stops the loop never ran (run_until_complete adds it; set_result and cancel "
    "schedule it)";

// The message of the RuntimeError that run_until_complete(loop, f) throws, or
// "no RuntimeError" (the test then fails on the comparison).
template <class T>
std::string refusal_of(EventLoop& loop, Future<T> f) {
    try {
        run_until_complete(loop, f);
    } catch (const aio::RuntimeError& e) {
        return e.what();
    }
    return "no RuntimeError";
}
} // namespace

TEST(RunUntilComplete, ReturnsTheResult) {
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 2s, "run_until_complete");
    Future<std::string> f(loop);
    loop.call_later(10ms, [f]() mutable { f.set_result("late"); });
    EXPECT_EQ(run_until_complete(loop, f), "late")
        << "ch04.run_until_complete: run the loop until the future is done, then its result";
    EXPECT_FALSE(loop.is_running()) << "ch04.run_until_complete: the loop is stopped afterwards";
    EXPECT_FALSE(watchdog.fired()) << WATCHDOG_FIRED;
}

TEST(RunUntilComplete, ReturnsForAFutureAlreadyDone) {
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 2s, "run_until_complete");
    Future<int> f(loop);
    f.set_result(4);
    EXPECT_EQ(run_until_complete(loop, f), 4)
        << "ch04.run_until_complete: a future done already still returns (its callback is "
           "scheduled at once)";
    Future<void> v(loop);
    loop.call_soon([v]() mutable { v.set_result(); });
    EXPECT_NO_THROW(run_until_complete(loop, v))
        << "ch04.run_until_complete: a Future<void> that finishes returns normally";
    EXPECT_FALSE(watchdog.fired()) << WATCHDOG_FIRED;
}

TEST(RunUntilComplete, RethrowsTheException) {
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 2s, "run_until_complete");
    Future<int> f(loop);
    loop.call_soon([f]() mutable { f.set_exception(std::make_exception_ptr(aio::KeyError("k"))); });
    EXPECT_THROW(run_until_complete(loop, f), aio::KeyError)
        << "ch04.run_until_complete: the future's exception comes out of run_until_complete";

    Future<int> cancelled(loop);
    loop.call_soon([cancelled]() mutable { cancelled.cancel("stop it"); });
    try {
        run_until_complete(loop, cancelled);
        FAIL() << "ch04.run_until_complete: a cancelled future's run_until_complete throws "
                  "CancelledError";
    } catch (const aio::CancelledError& e) {
        EXPECT_STREQ(e.what(), "stop it") << "ch04.run_until_complete: with the cancel message";
    }
    EXPECT_FALSE(watchdog.fired()) << WATCHDOG_FIRED;
}

TEST(RunUntilComplete, StopsAtTheEndOfTheIterationThatCompletedTheFuture) {
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 2s, "run_until_complete");
    Future<int> f(loop);
    int iterations = 0;
    std::function<void()> tick = [&] {
        ++iterations;
        if (iterations == 3) f.set_result(3);
        loop.call_soon(tick);
    };
    loop.call_soon(tick);
    EXPECT_EQ(run_until_complete(loop, f), 3) << "ch04.run_until_complete: the future's result";
    EXPECT_EQ(iterations, 4)
        << "ch04.run_until_complete: stop the loop from a done callback, which runs one pass "
           "after set_result: not earlier (polling done()), not later";
    EXPECT_FALSE(watchdog.fired()) << WATCHDOG_FIRED;
}

TEST(RunUntilComplete, ClosedLoopIsRuntimeError) {
    EventLoop loop;
    Future<int> f(loop);
    f.set_result(1);
    loop.close();
    EXPECT_EQ(refusal_of(loop, f), "Event loop is closed")
        << "ch04.run_until_complete: a closed loop is refused first, with RuntimeError";
}

TEST(RunUntilComplete, RunningLoopIsRuntimeError) {
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 2s, "run_until_complete");
    Future<int> inner(loop), outer(loop);
    std::string refusal;
    loop.call_soon([&] {
        refusal = refusal_of(loop, inner);
        outer.set_result(0);
    });
    run_until_complete(loop, outer);
    EXPECT_EQ(refusal, "This event loop is already running")
        << "ch04.run_until_complete: called from a callback of the same loop: RuntimeError";
    EXPECT_FALSE(inner.done()) << "ch04.run_until_complete: a refused call changes nothing";
    EXPECT_FALSE(watchdog.fired()) << WATCHDOG_FIRED;
}

TEST(RunUntilComplete, AnotherLoopRunningInThisThreadIsRuntimeError) {
    EventLoop loop, other;
    looplab::Watchdog watchdog(loop, 2s, "run_until_complete");
    Future<int> f(other), outer(loop);
    f.set_result(1);
    std::string refusal;
    loop.call_soon([&] {
        refusal = refusal_of(other, f);
        outer.set_result(0);
    });
    run_until_complete(loop, outer);
    EXPECT_EQ(refusal, "Cannot run the event loop while another loop is running")
        << "ch04.run_until_complete: one running loop per thread (detail::running_loop())";
    EXPECT_FALSE(watchdog.fired()) << WATCHDOG_FIRED;
}

TEST(RunUntilComplete, StoppedBeforeTheFutureIsDoneIsRuntimeError) {
    EventLoop loop;
    Future<int> f(loop);
    loop.call_soon([&] { loop.stop(); });
    EXPECT_EQ(refusal_of(loop, f), "Event loop stopped before Future completed.")
        << "ch04.run_until_complete: someone else stopped the loop before the future was done";
    EXPECT_FALSE(f.done()) << "ch04.run_until_complete: the future is left as it was, pending";
}

TEST(RunUntilComplete, FutureOfAnotherLoopIsValueError) {
    EventLoop loop, other;
    Future<int> f(other);
    f.set_result(1);
    try {
        run_until_complete(loop, f);
        FAIL() << "ch04.run_until_complete: the future must belong to the loop that runs";
    } catch (const aio::ValueError& e) {
        EXPECT_STREQ(e.what(), "The future belongs to a different loop than the one specified as "
                               "the loop argument")
            << "ch04.run_until_complete: asyncio's message";
    }
    EXPECT_EQ(run_until_complete(other, f), 1)
        << "ch04.run_until_complete: with its own loop, the same future is fine";
}

TEST(RunUntilComplete, RemovesItsDoneCallbackAfterwards) {
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 2s, "run_forever");
    Future<int> f(loop);
    loop.call_soon([&] { loop.stop(); });
    EXPECT_EQ(refusal_of(loop, f), "Event loop stopped before Future completed.")
        << "ch04.run_until_complete: someone else stopped the loop before the future was done";
    // Had run_until_complete left its callback on f, completing f now would stop
    // the next run_forever one iteration early.
    bool second_iteration_ran = false;
    loop.call_soon([&] {
        f.set_result(1);
        loop.call_soon([&] {
            loop.call_soon([&] {
                second_iteration_ran = true;
                loop.stop();
            });
        });
    });
    loop.run_forever();
    EXPECT_TRUE(second_iteration_ran) << "ch04.run_until_complete: remove the done callback that "
                                         "stops the loop on every way out, an exception included";
}
