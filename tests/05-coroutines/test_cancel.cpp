// Graded tests: cancellation as asyncio 3.11 has it: Task.cancel cancels the
// future the task awaits, CancelledError comes out of that co_await, and the
// coroutine decides (re-raise, or catch and go on); cancelling()/uncancel().
#include <gtest/gtest.h>

#include <stdexcept>
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

Coro<void> sleeps_and_records(Events* events, aio::Duration delay) {
    aio::EventLoop& loop = aio::get_running_loop();
    try {
        co_await aio::sleep(delay);
        events->push_back("slept");
    } catch (const aio::CancelledError& cancelled) {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
            loop.time() - aio::VirtualClock::start_time);
        events->push_back("cancelled at the co_await @" + std::to_string(ms.count()) + ": " +
                          cancelled.message());
        throw;
    }
}

} // namespace

TEST(Cancel, ThrowsCancelledErrorAtTheAwaitWithItsMessage) {
    VirtualLoop v;
    Events events;
    Task<void> task = aio::create_task(v.loop, sleeps_and_records(&events, 10s));
    bool accepted = false;
    v.loop.call_later(1s, [&] { accepted = task.cancel("stop now"); });
    ASSERT_TRUE(looplab::run_until_done(v.loop, aio::Future<void>(task)))
        << "ch05.cancel: the cancelled task must end, not hang";
    EXPECT_TRUE(accepted) << "ch05.cancel: cancel() on a pending task returns true";
    EXPECT_EQ(events, (Events{"cancelled at the co_await @1000: stop now"}))
        << "ch05.cancel: cancel() cancels the future the task awaits (the sleep's), so "
           "CancelledError with "
           "the message comes out of that co_await, at once, not when the sleep would end";
    EXPECT_TRUE(task.cancelled())
        << "ch05.cancel: re-raised, the CancelledError cancels the task itself";
    EXPECT_EQ(looplab::cancel_message_of(task), "stop now")
        << "ch05.cancel: result() of a cancelled task throws CancelledError with the cancel "
           "message";
    EXPECT_FALSE(task.cancel()) << "ch05.cancel: cancel() on a done task returns false";
}

namespace {

Coro<void> must_not_run(Counted counted, bool* ran) {
    *ran = true;
    (void)counted;
    co_return;
}

} // namespace

TEST(Cancel, ATaskCancelledBeforeItsFirstStepNeverRunsItsBody) {
    VirtualLoop v;
    LifetimeCounts counts;
    bool ran = false;
    Task<void> task = aio::create_task(v.loop, must_not_run(Counted(counts), &ran));
    EXPECT_TRUE(task.cancel("too early")) << "ch05.cancel: cancel() on a pending task returns true";
    ASSERT_TRUE(looplab::run_until_done(v.loop, aio::Future<void>(task)))
        << "ch05.cancel: a task cancelled before its first step must end at that step";
    EXPECT_FALSE(ran)
        << "ch05.task_step, ch05.cancel: CancelledError is thrown into a coroutine that has not "
           "started: its "
           "body never runs (asyncio: coro.throw on a fresh coroutine)";
    EXPECT_TRUE(task.cancelled()) << "ch05.cancel: it ends cancelled";
    EXPECT_EQ(looplab::cancel_message_of(task), "too early")
        << "ch05.cancel: with the message given to cancel()";
    EXPECT_EQ(counts.alive(), 0) << "ch05.cancel: its parameters are destroyed with the frame: "
                                 << counts.summary();
}

namespace {

Coro<int> swallows_cancellation(Events* events) {
    try {
        co_await aio::sleep(1h);
    } catch (const aio::CancelledError&) {
        events->push_back("caught, cancelling " +
                          std::to_string(aio::current_task()->cancelling()));
    }
    co_await aio::sleep(1s); // still a working task
    events->push_back("went on");
    co_return 7;
}

} // namespace

TEST(Cancel, ACoroutineThatCatchesItAndReturnsEndsNormally) {
    VirtualLoop v;
    Events events;
    Task<int> task = aio::create_task(v.loop, swallows_cancellation(&events));
    v.loop.call_later(10ms, [&] { task.cancel(); });
    ASSERT_TRUE(looplab::run_until_done(v.loop, aio::Future<int>(task)))
        << "ch05.cancel: the task must end after catching the cancellation";
    EXPECT_EQ(events, (Events{"caught, cancelling 1", "went on"}))
        << "ch05.cancel: CancelledError at the co_await, caught, then the body goes on "
           "(cancelling() is 1)";
    EXPECT_FALSE(task.cancelled()) << "ch05.cancel: a coroutine may refuse a cancellation";
    EXPECT_EQ(task.result(), 7) << "ch05.cancel: a coroutine that catches the cancellation and "
                                   "returns ends with its result";
    EXPECT_EQ(task.cancelling(), 1) << "ch05.cancel: the request stays counted until uncancel()";
    EXPECT_EQ(v.elapsed(), 1010ms)
        << "ch05.cancel: cancelled at 1000 ms, then it slept its 10 ms more";
}

namespace {

Coro<void> catches_std_exceptions(Events* events) {
    try {
        co_await aio::sleep(1h);
    } catch (const std::exception& error) {
        events->push_back(std::string("swallowed by catch (std::exception&): ") + error.what());
    }
    events->push_back("went on");
}

} // namespace

TEST(Cancel, CatchingStdExceptionDoesNotSwallowIt) {
    VirtualLoop v;
    Events events;
    Task<void> task = aio::create_task(v.loop, catches_std_exceptions(&events));
    v.loop.call_later(10ms, [&] { task.cancel(); });
    ASSERT_TRUE(looplab::run_until_done(v.loop, aio::Future<void>(task)))
        << "ch05.cancel: the task must end";
    EXPECT_TRUE(events.empty())
        << "ch05.cancel: CancelledError is not a std::exception (asyncio: a "
           "BaseException), so it goes through catch (std::exception&)";
    EXPECT_TRUE(task.cancelled()) << "ch05.cancel: catch (const std::exception&) does not catch "
                                     "CancelledError: the task ends cancelled";
}

namespace {

Coro<std::string> inner_work(Events* events) {
    try {
        co_await aio::sleep(1h);
    } catch (const aio::CancelledError& cancelled) {
        events->push_back("inner task cancelled: " + cancelled.message());
        throw;
    }
    co_return "finished";
}

Coro<std::string> middle_coro(Events* events) {
    Task<std::string> inner = aio::create_task(inner_work(events));
    try {
        co_return co_await inner;
    } catch (const aio::CancelledError& cancelled) {
        events->push_back("middle coro sees: " + cancelled.message());
        throw;
    }
}

Coro<std::string> outer_work(Events* events) {
    std::string result = co_await middle_coro(events);
    events->push_back("not reached");
    co_return result;
}

} // namespace

TEST(Cancel, ReachesTheInnermostAwaitThroughCorosAndTasks) {
    VirtualLoop v;
    Events events;
    Task<std::string> outer = aio::create_task(v.loop, outer_work(&events));
    v.loop.call_later(5ms, [&] { outer.cancel("shutdown"); });
    ASSERT_TRUE(looplab::run_until_done(v.loop, aio::Future<std::string>(outer)))
        << "ch05.cancel: the outer task must end";
    EXPECT_EQ(events, (Events{"inner task cancelled: shutdown", "middle coro sees: shutdown"}))
        << "ch05.cancel: the outer task awaits the inner task (through an inline Coro): cancelling "
           "the outer "
           "cancels the inner, whose CancelledError then comes out of the outer's co_await";
    EXPECT_TRUE(outer.cancelled()) << "ch05.cancel: the outer task ends cancelled";
    EXPECT_EQ(looplab::cancel_message_of(outer), "shutdown")
        << "ch05.cancel: with the message, passed down to the innermost await and back up";
    EXPECT_EQ(v.elapsed(), 5ms) << "ch05.cancel: the cancel at 5 ms ends everything at once";
}

namespace {

Coro<void> ignores_two_cancels(Events* events) {
    for (int i = 0; i < 2; ++i) {
        try {
            co_await aio::sleep(1s);
        } catch (const aio::CancelledError&) {
            events->push_back("ignored");
        }
    }
    int left = aio::current_task()->uncancel();
    events->push_back("uncancel -> " + std::to_string(left));
    left = aio::current_task()->uncancel();
    events->push_back("uncancel -> " + std::to_string(left));
    left = aio::current_task()->uncancel();
    events->push_back("uncancel at zero -> " + std::to_string(left));
}

Coro<void> runs(bool* ran) {
    *ran = true;
    co_return;
}

} // namespace

TEST(Cancel, CancellingCountsRequestsAndUncancelWithdrawsThem) {
    VirtualLoop v;
    Events events;
    Task<void> task = aio::create_task(v.loop, ignores_two_cancels(&events));
    EXPECT_EQ(task.cancelling(), 0)
        << "ch05.uncancel: the count is back to 0 after two cancels and two uncancels";
    v.loop.call_later(10ms, [&] { task.cancel(); });
    v.loop.call_later(500ms, [&] { task.cancel(); });
    ASSERT_TRUE(looplab::run_until_done(v.loop, aio::Future<void>(task)))
        << "ch05.uncancel: the task must end";
    EXPECT_EQ(events, (Events{"ignored", "ignored", "uncancel -> 1", "uncancel -> 0",
                              "uncancel at zero -> 0"}))
        << "ch05.uncancel: cancelling() counts the requests; uncancel() takes one back, never "
           "below zero";
    EXPECT_FALSE(task.cancelled())
        << "ch05.uncancel: every request was withdrawn: the task ends normally";

    bool ran = false;
    Task<void> second = aio::create_task(v.loop, runs(&ran));
    second.cancel();
    second.cancel();
    EXPECT_EQ(second.cancelling(), 2) << "ch05.cancel: two requests counted";
    EXPECT_EQ(second.uncancel(), 1) << "ch05.uncancel: one withdrawn, one left";
    EXPECT_EQ(second.uncancel(), 0) << "ch05.uncancel: both withdrawn";
    ASSERT_TRUE(looplab::run_until_done(v.loop, aio::Future<void>(second)))
        << "ch05.uncancel: the task must end";
    EXPECT_TRUE(ran)
        << "ch05.uncancel: uncancel() down to zero withdraws a cancel not yet delivered (3.13)";
    EXPECT_FALSE(second.cancelled())
        << "ch05.uncancel: at zero, the cancel not yet delivered is withdrawn too (3.13)";
}

namespace {

Coro<void> cancels_itself_then_returns(Events* events) {
    aio::current_task()->cancel("self");
    events->push_back("returns after cancel()");
    co_return;
}

Coro<void> cancels_itself_then_yields(Events* events) {
    aio::current_task()->cancel("self");
    try {
        co_await aio::sleep(0s);
    } catch (const aio::CancelledError& cancelled) {
        events->push_back("next await throws: " + cancelled.message());
        throw;
    }
}

} // namespace

TEST(Cancel, ATaskCanCancelItself) {
    VirtualLoop v;
    Events events;
    Task<void> first = aio::create_task(v.loop, cancels_itself_then_returns(&events));
    Task<void> second = aio::create_task(v.loop, cancels_itself_then_yields(&events));
    ASSERT_TRUE(looplab::run_until_done(v.loop, aio::Future<void>(second)))
        << "ch05.cancel: the second task must end";
    ASSERT_TRUE(first.done()) << "ch05.cancel: the first task must end";
    EXPECT_EQ(events, (Events{"returns after cancel()", "next await throws: self"}))
        << "ch05.cancel: cancel() on itself returns; its next co_await throws CancelledError";
    EXPECT_TRUE(first.cancelled())
        << "ch05.complete: cancelled right before its coroutine returned (a cancel still "
           "pending at the end): the task ends cancelled, as asyncio";
    EXPECT_TRUE(second.cancelled()) << "ch05.cancel: the second task ends cancelled";
}

namespace {

Coro<void> awaits_and_records(aio::Future<int> future, Events* events) {
    try {
        int value = co_await future;
        events->push_back("got " + std::to_string(value));
    } catch (const aio::CancelledError& cancelled) {
        events->push_back("cancelled at the co_await: " + cancelled.message());
        throw;
    }
}

} // namespace

// asyncio's Task.cancel: when the future the task waits on refuses the cancel
// (it is already done, the task's wake-up is queued but has not run), the
// request is kept (_must_cancel) and thrown in at the task's next step.
TEST(Cancel, AWaiterAlreadyDoneLeavesTheCancelPending) {
    VirtualLoop v;
    Events events;
    aio::Future<int> future(v.loop);
    Task<void> task = aio::create_task(v.loop, awaits_and_records(future, &events));
    bool accepted = false;
    v.loop.call_later(1s, [&] {
        future.set_result(7); // the task's wake-up is now queued, not run
        accepted = task.cancel("too late for the future");
    });
    ASSERT_TRUE(looplab::run_until_done(v.loop, aio::Future<void>(task)))
        << "ch05.cancel: the cancelled task must end, not hang";
    EXPECT_TRUE(accepted) << "ch05.cancel: cancel() of a pending task returns true, even when "
                             "the future it waits on is already done";
    EXPECT_EQ(events, (Events{"cancelled at the co_await: too late for the future"}))
        << "ch05.cancel: the waiter refused the cancel (already done), so the request must be "
           "kept as the pending cancel and thrown in at the next step, at the co_await";
    EXPECT_TRUE(task.cancelled()) << "ch05.cancel: the CancelledError re-raised cancels the task";
}

namespace {

Coro<void> catches_one_cancel_then_goes_on(Events* events) {
    aio::current_task()->cancel("once");
    try {
        co_await aio::sleep(0s);
    } catch (const aio::CancelledError& cancelled) {
        events->push_back("caught: " + cancelled.message());
    }
    co_await aio::sleep(0s); // the cancel was delivered: this await must not throw it again
    events->push_back("went on");
}

} // namespace

TEST(Cancel, ADeliveredCancelIsNotThrownAgain) {
    VirtualLoop v;
    Events events;
    Task<void> task = aio::create_task(v.loop, catches_one_cancel_then_goes_on(&events));
    ASSERT_TRUE(looplab::run_until_done(v.loop, aio::Future<void>(task)))
        << "ch05.task_step: the task must end, not hang";
    EXPECT_EQ(events, (Events{"caught: once", "went on"}))
        << "ch05.task_step: a pending cancel is thrown in once; once delivered it is cleared, so "
           "the next co_await of a coroutine that caught it does not throw it again";
    EXPECT_FALSE(task.cancelled()) << "ch05.task_step: the coroutine caught it and returned";
}

namespace {

Coro<void> cancels_itself_then_sleeps(Events* events) {
    aio::current_task()->cancel("self");
    try {
        co_await aio::sleep(1h);
        events->push_back("slept");
    } catch (const aio::CancelledError& cancelled) {
        events->push_back("cancelled: " + cancelled.message());
        throw;
    }
}

} // namespace

// The cancel is pending (the task was running) when the frames start to wait
// on a future: asyncio's __step cancels that future at once.
TEST(Cancel, ACancelPendingWhenTheTaskStartsToWaitCancelsThatFuture) {
    VirtualLoop v;
    Events events;
    Task<void> task = aio::create_task(v.loop, cancels_itself_then_sleeps(&events));
    ASSERT_TRUE(looplab::run_until_done(v.loop, aio::Future<void>(task)))
        << "ch05.wakeup: a cancel still pending when the task starts to wait must reach the "
           "future it waits on; the task hung instead";
    EXPECT_EQ(events, (Events{"cancelled: self"}))
        << "ch05.wakeup: the pending cancel cancels the future the task starts to wait on";
    EXPECT_LT(v.elapsed(), 1s) << "ch05.wakeup: at once, not when the sleep would end";
    EXPECT_TRUE(task.cancelled()) << "ch05.wakeup: re-raised, it cancels the task";
}

// asyncio's sleep resolves its future through _set_result_unless_cancelled: a
// cancel that comes first in the pass where the timer is due has cancelled the
// future already, and the timer must leave it alone.
TEST(Cancel, ACancelInThePassOfTheSleepsDeadlineWinsWithoutAnError) {
    VirtualLoop v;
    looplab::RecordedReports reports(v.loop);
    Events events;
    Task<void> task = aio::create_task(v.loop, sleeps_and_records(&events, 10ms));
    // Set before the task's first step creates the sleep's timer: due at the same
    // moment, this one runs first in that pass.
    v.loop.call_later(10ms, [&] { task.cancel("at the deadline"); });
    ASSERT_TRUE(looplab::run_until_done(v.loop, aio::Future<void>(task)))
        << "ch05.sleep: the cancelled sleep must end, not hang";
    EXPECT_EQ(events, (Events{"cancelled at the co_await @10: at the deadline"}))
        << "ch05.sleep: the cancel came first in the pass, so the sleep ends cancelled";
    EXPECT_EQ(reports.messages.size(), 0u)
        << "ch05.sleep: the sleep's timer fired after the cancel, in the same pass: it must set "
           "the future only if it is not done yet, not raise InvalidStateError into the loop's "
           "exception handler; first report: "
        << (reports.messages.empty() ? "" : reports.messages.front());
}

// asyncio's sleep cancels its timer in a finally: however the wait ends, no
// timer of a finished sleep is left in the loop.
TEST(Cancel, ACancelledSleepLeavesNoTimerBehind) {
    VirtualLoop v;
    Events events;
    Task<void> task = aio::create_task(v.loop, sleeps_and_records(&events, 1h));
    v.loop.call_later(1s, [&] { task.cancel("early"); });
    ASSERT_TRUE(looplab::run_until_done(v.loop, aio::Future<void>(task)))
        << "ch05.sleep: the cancelled sleep must end, not hang";
    ASSERT_TRUE(task.cancelled()) << "ch05.sleep: the cancelled sleep ends the task cancelled";
    Events timers_due; // the virtual times of the passes that found a timer due
    v.loop.set_tracer([&](const aio::IterationTrace& trace) {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(v.elapsed());
        if (trace.timers_due > 0) timers_due.push_back("timer due @" + std::to_string(ms.count()));
    });
    v.loop.call_later(2h, [&] { v.loop.stop(); });
    v.loop.run_forever();
    v.loop.set_tracer(nullptr);
    EXPECT_EQ(timers_due, (Events{"timer due @7201000"}))
        << "ch05.sleep: a cancelled sleep must cancel its timer however the frame ends (asyncio: "
           "sleep's finally: h.cancel()); the only timer left should be the test's own, 2 h "
           "later, but a pass at 1 h means the sleep's timer was left behind";
}
