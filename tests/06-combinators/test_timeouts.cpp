// timeout, timeout_at and wait_for, with asyncio's known races
// (asyncio: timeouts.py, tasks.wait_for).
#include <gtest/gtest.h>

#include <string>

#include "combinator_test_helpers.hpp"

using namespace looplab;
using aio::Future;
using aio::Task;

namespace {
// Catches what the coroutine throws and names it, so a test can look at it
// from inside the task (where cancelling() is meaningful).
template <class T>
aio::Coro<std::string> kind_of_await(aio::Coro<T> coro) {
    std::exception_ptr error;
    try {
        co_await coro;
    } catch (...) {
        error = std::current_exception();
    }
    co_return kind_of(error);
}

// Sleeps, and on a cancel sleeps `cleanup` more before passing it on.
aio::Coro<int> slow_with_cleanup(aio::Duration work, aio::Duration cleanup, bool* cleaned) {
    bool cancelled = false;
    try {
        co_await aio::sleep(work);
    } catch (const aio::CancelledError&) {
        cancelled = true;
    }
    if (cancelled) {
        co_await aio::sleep(cleanup);
        *cleaned = true;
        throw aio::CancelledError("cleaned up");
    }
    co_return 1;
}
} // namespace

TEST(Timeout, ABodyThatFinishesInTimeGivesItsValue) {
    VirtualLoop v;
    auto body = []() -> aio::Coro<int> {
        int value = co_await aio::timeout(100ms, value_after(10ms, 42));
        EXPECT_EQ(aio::current_task()->cancelling(), 0)
            << "ch06.timeout_exit: a block that ends in time leaves no cancel request";
        co_await aio::sleep(200ms); // the deadline must not fire later
        co_return value;
    };
    EXPECT_EQ(run_in_task(v.loop, body()), 42) << "ch06.timeout_exit: the body's value comes out";
}

TEST(Timeout, OutsideATaskIsARuntimeError) {
    VirtualLoop v;
    aio::Future<void> started(v.loop);
    std::string thrown;
    v.loop.call_soon([&] {
        thrown = thrown_by([] { aio::detail::TimeoutScope scope(aio::Clock::now()); });
        started.set_result();
    });
    aio::run_until_complete(v.loop, started);
    EXPECT_EQ(thrown, "RuntimeError")
        << "a timeout block in a plain callback: RuntimeError (no task to cancel)";
}

TEST(Timeout, ExpiryCancelsTheBodyAndRaisesTimeoutError) {
    VirtualLoop v;
    auto body = [&]() -> aio::Coro<std::string> {
        std::string kind = co_await kind_of_await(aio::timeout(100ms, value_after(10s, 1)));
        EXPECT_EQ(v.elapsed(), 100ms) << "ch06.timeout_expire: the body is cut at the deadline";
        EXPECT_EQ(aio::current_task()->cancelling(), 0)
            << "ch06.timeout_exit: the deadline's cancel request is withdrawn (uncancel)";
        co_await aio::sleep(10ms); // not cancelled again
        co_return kind;
    };
    EXPECT_EQ(run_in_task(v.loop, body()), "TimeoutError")
        << "ch06.timeout_exit: our own cancellation comes out as TimeoutError";
}

TEST(Timeout, ADeadlineAlreadyPassedCancelsAtTheFirstAwait) {
    VirtualLoop v;
    auto no_await = []() -> aio::Coro<int> { co_return 3; };
    auto body = [&]() -> aio::Coro<std::string> {
        int value = co_await aio::timeout(-1s, no_await());
        EXPECT_EQ(value, 3)
            << "ch06.timeout_exit: a body that never suspends finishes before the deadline can act";
        std::string kind = co_await kind_of_await(aio::timeout(0s, value_after(10ms, 1)));
        EXPECT_EQ(v.elapsed(), 0ms)
            << "ch06.timeout_expire: a zero timeout cancels at the first await";
        co_return kind;
    };
    EXPECT_EQ(run_in_task(v.loop, body()), "TimeoutError")
        << "ch06.timeout_exit: timeout(0s) around a body that awaits: TimeoutError";
}

// CPython's test_timeout_zero_sleep_zero and test_timeout_in_the_past_sleep_zero:
// a deadline already passed expires before the task's next step, so even a
// body whose only wait is sleep(0s) is cut (asyncio: Timeout.reschedule's
// call_soon; a due call_at timer would run after that step).
TEST(Timeout, ADeadlinePassedExpiresBeforeTheBodysFirstYield) {
    VirtualLoop v;
    auto body = [&]() -> aio::Coro<std::string> {
        std::string zero = co_await kind_of_await(aio::timeout(0s, aio::sleep(0s)));
        EXPECT_EQ(zero, "TimeoutError") << "ch06.timeout_exit: timeout(0s, sleep(0s)) raises "
                                           "TimeoutError (the expiry is queued before the "
                                           "task's next step), got "
                                        << zero;
        std::string past = co_await kind_of_await(aio::timeout(-11s, aio::sleep(0s)));
        EXPECT_EQ(past, "TimeoutError")
            << "ch06.timeout_exit: timeout(-11s, sleep(0s)) raises TimeoutError, got " << past;
        EXPECT_EQ(aio::current_task()->cancelling(), 0)
            << "ch06.timeout_exit: after the TimeoutError the task's own cancel is withdrawn";
        co_return "done";
    };
    EXPECT_EQ(run_in_task(v.loop, body()), "done")
        << "ch06.timeout_exit: the task goes on after both TimeoutErrors";
    EXPECT_EQ(v.elapsed(), 0ms) << "ch06.timeout_expire: no time passes for a passed deadline";
}

TEST(Timeout, TheDeadlineIsFixedWhenTheCoroStarts) {
    VirtualLoop v;
    auto body = [&]() -> aio::Coro<std::string> {
        aio::Coro<int> guarded = aio::timeout(100ms, value_after(10s, 1)); // not started yet
        co_await aio::sleep(50ms);
        std::string kind = co_await kind_of_await(std::move(guarded));
        EXPECT_EQ(v.elapsed(), 150ms)
            << "ch06.timeout_expire: 100 ms from the start of the block, not from the call";
        co_return kind;
    };
    EXPECT_EQ(run_in_task(v.loop, body()), "TimeoutError")
        << "ch06.timeout_exit: the block times out";
}

TEST(Timeout, AnOutsideCancelWinsOverTheDeadline) {
    VirtualLoop v;
    auto body = []() -> aio::Coro<int> {
        co_return co_await aio::timeout(100ms, value_after(10s, 1));
    };
    Task<int> task = aio::create_task(v.loop, body());
    v.loop.call_later(100ms, [task]() mutable { task.cancel("outside"); });
    ASSERT_TRUE(run_until_done(v.loop, Future<int>(task)))
        << "the run ends (a lost wake-up would leave it pending)";
    EXPECT_TRUE(task.cancelled()) << "ch06.timeout_exit: an outside cancel at the deadline stays a "
                                     "CancelledError (uncancel() > cancelling at entry)";
}

TEST(Timeout, NestedOnlyTheOneThatExpiredConverts) {
    VirtualLoop v;
    auto body = [&]() -> aio::Coro<std::string> {
        auto inner = [&]() -> aio::Coro<std::string> {
            co_return co_await kind_of_await(aio::timeout(50ms, value_after(10s, 1)));
        };
        std::string inner_kind = co_await aio::timeout(1s, inner());
        EXPECT_EQ(v.elapsed(), 50ms) << "ch06.timeout_expire: the inner deadline fires first";
        std::string outer_kind =
            co_await kind_of_await(aio::timeout(100ms, aio::timeout(1s, value_after(10s, 2))));
        EXPECT_EQ(v.elapsed(), 150ms) << "ch06.timeout_expire: then the outer one, 100 ms later";
        co_return inner_kind + " " + outer_kind;
    };
    EXPECT_EQ(run_in_task(v.loop, body()), "TimeoutError TimeoutError")
        << "ch06.timeout_exit: the expired block converts, the other passes it through untouched";
}

TEST(WaitFor, NoLimitJustAwaits) {
    VirtualLoop v;
    auto body = [&]() -> aio::Coro<int> {
        co_return co_await aio::wait_for(resolved_later(v.loop, 3s, 5), std::nullopt);
    };
    EXPECT_EQ(run_in_task(v.loop, body()), 5) << "ch06.wait_for: nullopt waits as long as it takes";
}

TEST(WaitFor, ZeroOrLessReturnsADoneResultAndCancelsAPendingOne) {
    VirtualLoop v;
    bool body_ran = false;
    auto never = [&]() -> aio::Coro<int> {
        body_ran = true;
        co_return 1;
    };
    auto body = [&]() -> aio::Coro<std::string> {
        Future<int> done(v.loop);
        done.set_result(8);
        int value = co_await aio::wait_for(done, 0s);
        EXPECT_EQ(value, 8) << "ch06.wait_for: timeout 0 on a done future gives its result";
        Future<int> pending(v.loop);
        std::string kind = co_await kind_of_await(aio::wait_for(pending, -1s));
        EXPECT_TRUE(pending.cancelled()) << "ch06.wait_for: timeout < 0 cancels a pending future";
        std::string coro_kind = co_await kind_of_await(aio::wait_for(never(), 0s));
        co_return kind + " " + coro_kind;
    };
    EXPECT_EQ(run_in_task(v.loop, body()), "TimeoutError TimeoutError")
        << "ch06.wait_for: timeout <= 0 on a pending future: TimeoutError, once "
           "ch06.cancel_and_wait waited until the cancelled future (a task) was really done";
    EXPECT_FALSE(body_ran)
        << "ch06.wait_for: a coroutine with timeout <= 0 is cancelled before it starts";
}

TEST(WaitFor, ATimeoutCancelsTheTaskAndWaitsForItsCleanUp) {
    VirtualLoop v;
    bool cleaned = false;
    auto body = [&]() -> aio::Coro<std::string> {
        co_return co_await kind_of_await(
            aio::wait_for(slow_with_cleanup(10s, 30ms, &cleaned), 100ms));
    };
    EXPECT_EQ(run_in_task(v.loop, body()), "TimeoutError")
        << "ch06.wait_for: a late task gives TimeoutError";
    EXPECT_TRUE(cleaned) << "ch06.wait_for: the task was cancelled and finished its clean-up first";
    EXPECT_EQ(v.elapsed(), 130ms)
        << "ch06.wait_for: TimeoutError comes once the task is done (100 + 30 ms)";
}

TEST(WaitFor, AnInnerThatSuppressesTheCancelGivesItsValue) {
    // gh-86296: if the inner swallows the cancel and returns, wait_for returns that.
    VirtualLoop v;
    auto stubborn = []() -> aio::Coro<int> {
        try {
            co_await aio::sleep(10s);
        } catch (const aio::CancelledError&) {
        }
        co_return 42;
    };
    auto body = [&]() -> aio::Coro<int> { co_return co_await aio::wait_for(stubborn(), 100ms); };
    EXPECT_EQ(run_in_task(v.loop, body()), 42)
        << "ch06.timeout_exit: a value after the deadline is still a value";
}

TEST(WaitFor, AnInnerDoneAtTheMomentOfTheTimeoutLosesNothing) {
    // gh-86296: the future gets its result in the same loop pass as the
    // deadline. Either the value or TimeoutError may come out, but the
    // future keeps its value and the caller is left with no stray cancel.
    VirtualLoop v;
    Future<int> inner = resolved_later(v.loop, 100ms, 7); // its timer is due with the deadline
    auto body = [&]() -> aio::Coro<std::string> {
        std::string kind = co_await kind_of_await(aio::wait_for(inner, 100ms));
        EXPECT_EQ(aio::current_task()->cancelling(), 0)
            << "ch06.timeout_exit: no cancel request is left behind by the race";
        co_await aio::sleep(10ms); // would throw a stray CancelledError
        co_return kind;
    };
    std::string kind = run_in_task(v.loop, body());
    EXPECT_TRUE(kind == "none" || kind == "TimeoutError")
        << "ch06.timeout_exit: the value or TimeoutError, never " << kind;
    EXPECT_EQ(inner.result(), 7) << "ch06.wait_for: the future that finished keeps its result";
}

TEST(WaitFor, AnOutsideCancelIsNotSwallowedWhenTheFutureIsAlreadyDone) {
    // gh-107547: the task cancels itself, then wait_for(a done future).
    VirtualLoop v;
    bool reached_end = false;
    auto body = [&]() -> aio::Coro<void> {
        Future<int> done(v.loop);
        done.set_result(1);
        aio::current_task()->cancel("self");
        co_await aio::wait_for(done, 10s);
        co_await aio::sleep(10ms);
        reached_end = true;
    };
    Task<void> task = aio::create_task(v.loop, body());
    ASSERT_TRUE(run_until_done(v.loop, Future<void>(task)))
        << "the run ends (a lost wake-up would leave it pending)";
    EXPECT_TRUE(task.cancelled()) << "ch06.timeout_exit: the pending cancel survives the timeout "
                                     "block (no uncancel unless it expired)";
    EXPECT_FALSE(reached_end) << "ch06.timeout_exit: the cancel is delivered at the next await";
}

TEST(WaitFor, AnOutsideCancelBeatsTheTimeout) {
    VirtualLoop v;
    Future<int> never(v.loop);
    auto body = [&]() -> aio::Coro<int> { co_return co_await aio::wait_for(never, 1s); };
    Task<int> task = aio::create_task(v.loop, body());
    v.loop.call_later(100ms, [task]() mutable { task.cancel("outside"); });
    ASSERT_TRUE(run_until_done(v.loop, Future<int>(task)))
        << "the run ends (a lost wake-up would leave it pending)";
    EXPECT_TRUE(task.cancelled())
        << "ch06.wait_for: an outside cancel stays a CancelledError, not a TimeoutError";
    EXPECT_TRUE(never.cancelled()) << "ch06.wait_for: and it reaches the awaited future";
    EXPECT_EQ(v.elapsed(), 100ms) << "ch06.wait_for: it ends at the cancel, not at the deadline";
}
