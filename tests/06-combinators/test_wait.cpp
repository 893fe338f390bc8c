// wait, as_completed and shield (asyncio: tasks.wait, as_completed, shield).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "combinator_test_helpers.hpp"

using namespace looplab;
using aio::Future;
using aio::ReturnWhen;
using aio::Task;

TEST(Wait, AllCompletedWaitsForEveryFuture) {
    VirtualLoop v;
    auto body = [&]() -> aio::Coro<std::size_t> {
        std::vector<Future<int>> fs{resolved_later(v.loop, 10ms, 1),
                                    resolved_later(v.loop, 30ms, 2)};
        aio::WaitResult<int> result = co_await aio::wait(fs);
        EXPECT_TRUE(result.pending.empty())
            << "ch06.wait_release: ALL_COMPLETED leaves nothing pending";
        co_return result.done.size();
    };
    EXPECT_EQ(run_in_task(v.loop, body()), 2u) << "ch06.wait_release: both are done";
    EXPECT_EQ(v.elapsed(), 30ms) << "ch06.wait_release: returns with the last one";
}

TEST(Wait, FirstCompletedReturnsWithTheFirstAndCancelsNothing) {
    VirtualLoop v;
    Future<int> fast = resolved_later(v.loop, 10ms, 1);
    Future<int> slow = resolved_later(v.loop, 30ms, 2);
    auto body = [&]() -> aio::Coro<aio::WaitResult<int>> {
        std::vector<Future<int>> fs{slow, fast, fast};
        co_return co_await aio::wait(fs, ReturnWhen::FIRST_COMPLETED);
    };
    aio::WaitResult<int> result = run_in_task(v.loop, body());
    EXPECT_EQ(v.elapsed(), 10ms)
        << "ch06.wait_release: FIRST_COMPLETED returns at the first completion";
    ASSERT_EQ(result.done.size(), 1u)
        << "ch06.wait: a future given twice is waited for once and appears once in done "
           "(asyncio: wait works on set(fs))";
    EXPECT_TRUE(result.done[0] == fast) << "ch06.wait_release: the fast one is done";
    ASSERT_EQ(result.pending.size(), 1u) << "ch06.wait_release: the slow one is pending";
    EXPECT_FALSE(slow.cancelled()) << "wait never cancels anything";
}

TEST(Wait, FirstExceptionIgnoresCancellations) {
    VirtualLoop v;
    Future<int> cancelled(v.loop), failing(v.loop), slow = resolved_later(v.loop, 1s, 3);
    v.loop.call_later(10ms, [cancelled]() mutable { cancelled.cancel(); });
    v.loop.call_later(20ms, [failing]() mutable {
        failing.set_exception(std::make_exception_ptr(aio::ValueError("x")));
    });
    auto body = [&]() -> aio::Coro<aio::WaitResult<int>> {
        std::vector<Future<int>> fs{cancelled, failing, slow};
        co_return co_await aio::wait(fs, ReturnWhen::FIRST_EXCEPTION);
    };
    aio::WaitResult<int> result = run_in_task(v.loop, body());
    EXPECT_EQ(v.elapsed(), 20ms)
        << "ch06.wait_release: a cancellation is not an exception; the failure is";
    EXPECT_EQ(result.done.size(), 2u)
        << "ch06.wait_release: the cancelled and the failed future are done";
}

// asyncio's _wait asks a future for its exception only under FIRST_EXCEPTION,
// when others are still pending (and asking marks it retrieved); under the
// other rules wait looks at nothing, and a failure nobody reads is reported
// as never retrieved.
TEST(Wait, OnlyFirstExceptionReadsTheErrors) {
    for (ReturnWhen when :
         {ReturnWhen::ALL_COMPLETED, ReturnWhen::FIRST_COMPLETED, ReturnWhen::FIRST_EXCEPTION}) {
        VirtualLoop v;
        RecordedReports reports(v.loop);
        {
            Task<int> failing = aio::create_task(v.loop, fail_after(10ms, "unread"));
            Future<int> slow = resolved_later(v.loop, 1s, 3);
            auto body = [&]() -> aio::Coro<bool> {
                std::vector<Future<int>> fs{Future<int>(failing), slow};
                aio::WaitResult<int> result = co_await aio::wait(fs, when);
                co_return !result.done.empty() && result.done[0] == Future<int>(failing);
            };
            EXPECT_TRUE(run_in_task(v.loop, body()))
                << "ch06.wait_release: the failed future is done";
        }
        std::size_t expected = when == ReturnWhen::FIRST_EXCEPTION ? 0u : 1u;
        EXPECT_EQ(reports.messages.size(), expected)
            << "ch06.wait_release: " << (expected ? "without FIRST_EXCEPTION" : "with it")
            << " (rule " << static_cast<int>(when) << "), wait "
            << (expected ? "must not read a future's exception: unread, it is reported once"
                         : "reads the exception (as asyncio), which marks it retrieved");
    }
}

TEST(Wait, ATimeoutReturnsWhatIsDoneWithoutRaisingOrCancelling) {
    VirtualLoop v;
    Future<int> slow = resolved_later(v.loop, 1s, 3);
    auto body = [&]() -> aio::Coro<aio::WaitResult<int>> {
        std::vector<Future<int>> fs{slow};
        co_return co_await aio::wait(fs, ReturnWhen::ALL_COMPLETED, 50ms);
    };
    aio::WaitResult<int> result = run_in_task(v.loop, body());
    EXPECT_EQ(v.elapsed(), 50ms) << "wait returns at its timeout";
    EXPECT_EQ(result.pending.size(), 1u) << "what is not done is pending";
    EXPECT_FALSE(slow.cancelled()) << "the timeout cancels nothing";
}

TEST(Wait, AnEmptyListIsAValueError) {
    VirtualLoop v;
    auto body = []() -> aio::Coro<std::string> {
        std::exception_ptr error;
        try {
            co_await aio::wait(std::vector<Future<int>>{});
        } catch (...) {
            error = std::current_exception();
        }
        co_return kind_of(error);
    };
    EXPECT_EQ(run_in_task(v.loop, body()), "ValueError") << "wait of nothing: ValueError";
}

TEST(AsCompleted, GivesResultsInCompletionOrderWithTheirTimes) {
    VirtualLoop v;
    auto body = [&]() -> aio::Coro<std::vector<int>> {
        std::vector<Future<int>> fs{resolved_later(v.loop, 30ms, 3),
                                    resolved_later(v.loop, 10ms, 1),
                                    resolved_later(v.loop, 20ms, 2)};
        aio::AsCompleted<int> completions = aio::as_completed(fs);
        std::vector<int> order;
        while (!completions.empty()) {
            order.push_back(co_await completions.next());
            EXPECT_EQ(v.elapsed(), order.back() * 10ms)
                << "ch06.as_completed_next: each result as soon as it is there";
        }
        co_return order;
    };
    EXPECT_EQ(run_in_task(v.loop, body()), (std::vector<int>{1, 2, 3}))
        << "ch06.as_completed_next: completion order, not list order";
}

TEST(AsCompleted, AClaimWokenThenCancelledPassesTheCompletionOn) {
    VirtualLoop v;
    Future<int> first = resolved_later(v.loop, 10ms, 1);
    std::vector<Future<int>> fs{first, resolved_later(v.loop, 1s, 2)};
    aio::AsCompleted<int> completions = aio::as_completed(fs);
    auto claim = [&completions]() -> aio::Coro<int> { co_return co_await completions.next(); };
    Task<int> woken = aio::create_task(v.loop, claim());
    Task<int> other = aio::create_task(v.loop, claim());
    // Runs right after as_completed's own callback: the first claim is woken, not yet resumed.
    first.add_done_callback([woken](Future<int>) mutable { woken.cancel(); });
    ASSERT_TRUE(run_until_done(v.loop, Future<int>(other), 100ms))
        << "ch06.as_completed_next: the completion is not lost with the cancelled claim";
    EXPECT_TRUE(woken.cancelled()) << "ch06.as_completed_next: the woken claim was cancelled";
    EXPECT_EQ(other.result(), 1) << "ch06.as_completed_next: the other claim gets the completion";
}

// A woken claim checks again: A waits; X completes at 10 ms and wakes A, but
// B's claim runs first in the next pass and takes X. A must wait on (for Y),
// not take the empty queue for a timeout.
TEST(AsCompleted, AWokenClaimWhoseCompletionWasTakenWaitsAgain) {
    VirtualLoop v;
    Future<int> x = resolved_later(v.loop, 10ms, 1);
    std::vector<Future<int>> fs{x, resolved_later(v.loop, 20ms, 2)};
    aio::AsCompleted<int> completions = aio::as_completed(fs);
    auto claim = [&completions](aio::Duration start) -> aio::Coro<int> {
        co_await aio::sleep(start);
        co_return co_await completions.next();
    };
    Task<int> a = aio::create_task(v.loop, claim(0ms));
    Task<int> b = aio::create_task(v.loop, claim(10ms)); // its step runs before A's wake-up
    ASSERT_TRUE(run_until_done(v.loop, Future<int>(a), 100ms))
        << "ch06.as_completed_next: the first claim ends";
    EXPECT_EQ(kind_of(a.exception()), "none")
        << "ch06.as_completed_next: a woken claim that finds the queue empty waits again "
           "(a loop, not an if); it is no timeout";
    EXPECT_EQ(b.result(), 1) << "ch06.as_completed_next: B took X, queued when B ran";
    EXPECT_EQ(a.result(), 2) << "ch06.as_completed_next: A gets the next completion, Y";
}

// asyncio's _on_completion: "_on_timeout() was here first". X completes in
// the very pass of the timeout, its callback already scheduled when the
// timeout runs: it must not be queued, and next() is a TimeoutError.
TEST(AsCompleted, ACompletionInThePassOfTheTimeoutComesTooLate) {
    VirtualLoop v;
    Future<int> x = resolved_later(v.loop, 50ms, 1); // its timer comes before the timeout's
    auto body = [&]() -> aio::Coro<std::string> {
        std::vector<Future<int>> fs{x};
        aio::AsCompleted<int> completions = aio::as_completed(fs, 50ms);
        std::exception_ptr error;
        try {
            co_await completions.next();
        } catch (...) {
            error = std::current_exception();
        }
        co_return kind_of(error);
    };
    EXPECT_EQ(run_in_task(v.loop, body()), "TimeoutError")
        << "ch06.as_completed_arrive: a completion that arrives after the timeout (same pass) "
           "is not queued; next() raises TimeoutError";
}

TEST(AsCompleted, NothingInTimeGivesTimeoutErrorFromNext) {
    VirtualLoop v;
    auto body = [&]() -> aio::Coro<std::string> {
        std::vector<Future<int>> fs{Future<int>(v.loop), Future<int>(v.loop)};
        aio::AsCompleted<int> completions = aio::as_completed(fs, 40ms);
        std::exception_ptr error;
        try {
            co_await completions.next();
        } catch (...) {
            error = std::current_exception();
        }
        EXPECT_EQ(v.elapsed(), 40ms) << "ch06.as_completed_next: the claim waits until the timeout";
        co_return kind_of(error);
    };
    EXPECT_EQ(run_in_task(v.loop, body()), "TimeoutError")
        << "ch06.as_completed_next: nothing completed in time: TimeoutError from next()";
}

TEST(AsCompleted, TheTimeoutRunsFromTheCallAndNextAfterTheLastIsARuntimeError) {
    VirtualLoop v;
    auto body = [&]() -> aio::Coro<std::string> {
        std::vector<Future<int>> fs{resolved_later(v.loop, 10ms, 1), resolved_later(v.loop, 1s, 2)};
        aio::AsCompleted<int> completions = aio::as_completed(fs, 50ms);
        int first = co_await completions.next();
        EXPECT_EQ(first, 1) << "ch06.as_completed_next: the fast one first";
        std::exception_ptr error;
        try {
            co_await completions.next();
        } catch (...) {
            error = std::current_exception();
        }
        EXPECT_EQ(v.elapsed(), 50ms)
            << "ch06.as_completed_next: TimeoutError at 50 ms after as_completed()";
        EXPECT_TRUE(completions.empty()) << "every future was claimed";
        EXPECT_EQ(thrown_by([&] { (void)completions.next(); }), "RuntimeError")
            << "next() on an empty AsCompleted: RuntimeError";
        co_return kind_of(error);
    };
    EXPECT_EQ(run_in_task(v.loop, body()), "TimeoutError")
        << "ch06.as_completed_next: TimeoutError from next()";
}

TEST(Shield, CancellingTheOuterLeavesTheInnerRunning) {
    VirtualLoop v;
    Task<int> inner = aio::create_task(v.loop, value_after(50ms, 9));
    Future<int> outer = aio::shield(Future<int>(inner));
    auto waiter_body = [outer]() -> aio::Coro<int> { co_return co_await outer; };
    Task<int> waiter = aio::create_task(v.loop, waiter_body());
    run_for(v.loop, 10ms);
    waiter.cancel();
    ASSERT_TRUE(run_until_done(v.loop, Future<int>(waiter)))
        << "the run ends (a lost wake-up would leave it pending)";
    EXPECT_TRUE(waiter.cancelled()) << "the task awaiting the shield is cancelled";
    EXPECT_TRUE(outer.cancelled()) << "and so is the outer future";
    ASSERT_TRUE(run_until_done(v.loop, Future<int>(inner)))
        << "the run ends (a lost wake-up would leave it pending)";
    EXPECT_EQ(inner.result(), 9) << "the inner task runs on to its result";
}

TEST(Shield, ADoneInnerIsReturnedAsIsAndResultsPassThrough) {
    VirtualLoop v;
    Future<int> done(v.loop);
    done.set_result(1);
    EXPECT_TRUE(aio::shield(done) == done) << "a done inner is returned as is";
    Future<int> later = resolved_later(v.loop, 5ms, 6);
    Future<int> outer = aio::shield(later);
    ASSERT_TRUE(run_until_done(v.loop, outer))
        << "the run ends (a lost wake-up would leave it pending)";
    EXPECT_EQ(outer.result(), 6) << "the outer mirrors the inner's result";
}

TEST(Shield, AnInnerFailureAfterTheOuterWasCancelledIsReportedOnce) {
    VirtualLoop v;
    RecordedReports reports(v.loop);
    {
        Task<int> inner = aio::create_task(v.loop, fail_after(20ms, "late"));
        Future<int> outer = aio::shield(Future<int>(inner));
        outer.cancel();
        run_for(v.loop, 30ms); // not run_until_complete: that would retrieve the exception
        ASSERT_TRUE(inner.done()) << "the inner task ran to its failure";
        EXPECT_TRUE(reports.messages.empty())
            << "nothing is reported while a handle to the inner is alive";
    }
    EXPECT_EQ(reports.messages.size(), 1u)
        << "the inner's exception reaches the exception handler once";
}

// The outer cancelled first, in the same pass as the inner's ending: inner's
// callback finds the outer done and must leave it so (asyncio's
// _inner_done_callback returns when outer.cancelled()).
TEST(Shield, AnInnerEndingInThePassTheOuterIsCancelledLeavesTheOuterCancelled) {
    VirtualLoop v;
    RecordedReports reports(v.loop);
    Future<int> inner(v.loop);
    Future<int> outer = aio::shield(inner);
    v.loop.call_later(10ms, [&] {
        outer.cancel("first");
        inner.set_result(4); // both futures' callbacks now wait for the next pass
    });
    run_for(v.loop, 20ms);
    EXPECT_TRUE(outer.cancelled()) << "ch06.shield: the outer stays cancelled";
    EXPECT_EQ(inner.result(), 4) << "ch06.shield: the inner keeps its own result";
    EXPECT_TRUE(reports.messages.empty())
        << "ch06.shield: inner's callback must not copy its ending into an outer already done "
           "(that raises InvalidStateError into the loop's exception handler); first report: "
        << (reports.messages.empty() ? "" : reports.messages.front());
}
