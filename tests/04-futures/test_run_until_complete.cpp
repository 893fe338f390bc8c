// Graded tests: running the loop until a future is done (asyncio: loop.run_until_complete).
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "future.hpp"
#include "future_test_helpers.hpp"

using aio::EventLoop;
using aio::Future;
using aio::run_until_complete;
using namespace std::chrono_literals;

TEST(RunUntilComplete, ReturnsTheResult) {
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 2s, "run_until_complete");
    Future<std::string> f(loop);
    loop.call_later(10ms, [f]() mutable { f.set_result("late"); });
    EXPECT_EQ(run_until_complete(loop, f), "late");
    EXPECT_FALSE(loop.is_running()) << "the loop stops once the future is done";
    EXPECT_FALSE(watchdog.fired())
        << "the loop ran on until the test's watchdog stopped it: the done callback that stops "
           "the loop never ran (run_until_complete adds it; set_result/cancel schedule it)";
}

TEST(RunUntilComplete, ReturnsForAFutureAlreadyDone) {
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 2s, "run_until_complete");
    Future<int> f(loop);
    f.set_result(4);
    EXPECT_EQ(run_until_complete(loop, f), 4);
    Future<void> v(loop);
    loop.call_soon([v]() mutable { v.set_result(); });
    EXPECT_NO_THROW(run_until_complete(loop, v));
    EXPECT_FALSE(watchdog.fired())
        << "the loop ran on until the test's watchdog stopped it: the done callback that stops "
           "the loop never ran (run_until_complete adds it; set_result/cancel schedule it)";
}

TEST(RunUntilComplete, RethrowsTheException) {
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 2s, "run_until_complete");
    Future<int> f(loop);
    loop.call_soon([f]() mutable { f.set_exception(std::make_exception_ptr(aio::KeyError("k"))); });
    EXPECT_THROW(run_until_complete(loop, f), aio::KeyError);

    Future<int> cancelled(loop);
    loop.call_soon([cancelled]() mutable { cancelled.cancel("stop it"); });
    try {
        run_until_complete(loop, cancelled);
        FAIL() << "a cancelled future's run_until_complete throws CancelledError";
    } catch (const aio::CancelledError& e) {
        EXPECT_STREQ(e.what(), "stop it");
    }
    EXPECT_FALSE(watchdog.fired())
        << "the loop ran on until the test's watchdog stopped it: the done callback that stops "
           "the loop never ran (run_until_complete adds it; set_result/cancel schedule it)";
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
    EXPECT_EQ(run_until_complete(loop, f), 3);
    EXPECT_EQ(iterations, 4)
        << "the done callback that stops the loop runs one iteration after set_result";
    EXPECT_FALSE(watchdog.fired())
        << "the loop ran on until the test's watchdog stopped it: the done callback that stops "
           "the loop never ran (run_until_complete adds it; set_result/cancel schedule it)";
}

TEST(RunUntilComplete, ClosedLoopIsRuntimeError) {
    EventLoop loop;
    Future<int> f(loop);
    f.set_result(1);
    loop.close();
    try {
        run_until_complete(loop, f);
        FAIL() << "run_until_complete on a closed loop must throw RuntimeError";
    } catch (const aio::RuntimeError& e) {
        EXPECT_STREQ(e.what(), "Event loop is closed");
    }
}

TEST(RunUntilComplete, RunningLoopIsRuntimeError) {
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 2s, "run_until_complete");
    Future<int> inner(loop), outer(loop);
    bool threw = false;
    loop.call_soon([&] {
        try {
            run_until_complete(loop, inner);
        } catch (const aio::RuntimeError&) {
            threw = true;
        }
        outer.set_result(0);
    });
    run_until_complete(loop, outer);
    EXPECT_TRUE(threw) << "run_until_complete from inside the running loop: RuntimeError";
    EXPECT_FALSE(inner.done());
    EXPECT_FALSE(watchdog.fired())
        << "the loop ran on until the test's watchdog stopped it: the done callback that stops "
           "the loop never ran (run_until_complete adds it; set_result/cancel schedule it)";
}

TEST(RunUntilComplete, StoppedBeforeTheFutureIsDoneIsRuntimeError) {
    EventLoop loop;
    Future<int> f(loop);
    loop.call_soon([&] { loop.stop(); });
    try {
        run_until_complete(loop, f);
        FAIL() << "stop() before the future is done: RuntimeError";
    } catch (const aio::RuntimeError& e) {
        EXPECT_STREQ(e.what(), "Event loop stopped before Future completed.");
    }
    EXPECT_FALSE(f.done());
}

TEST(RunUntilComplete, FutureOfAnotherLoopIsValueError) {
    EventLoop loop, other;
    Future<int> f(other);
    f.set_result(1);
    EXPECT_THROW(run_until_complete(loop, f), aio::ValueError)
        << "the future must belong to the loop that runs";
    EXPECT_EQ(run_until_complete(other, f), 1);
}

TEST(RunUntilComplete, RemovesItsDoneCallbackAfterwards) {
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 2s, "run_forever");
    Future<int> f(loop);
    loop.call_soon([&] { loop.stop(); });
    EXPECT_THROW(run_until_complete(loop, f), aio::RuntimeError);
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
    EXPECT_TRUE(second_iteration_ran)
        << "run_until_complete must remove its done callback (the one that stops the loop)";
}
