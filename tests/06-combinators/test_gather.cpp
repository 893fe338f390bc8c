// gather and gather_outcomes: one future for many (asyncio.gather).
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "combinator_test_helpers.hpp"

using namespace looplab;
using aio::Future;
using aio::Task;

TEST(Gather, NoChildrenIsAFutureAlreadyFinished) {
    VirtualLoop v;
    auto body = []() -> aio::Coro<std::size_t> {
        Future<std::vector<int>> outer = aio::gather(std::vector<Future<int>>{});
        EXPECT_TRUE(outer.done()) << "ch06.gather_watch: gather of no children is done at once";
        co_return outer.result().size();
    };
    EXPECT_EQ(run_in_task(v.loop, body()), 0u)
        << "ch06.gather_watch: gather of no children gives an empty list";
    EXPECT_EQ(thrown_by([] { aio::gather(std::vector<Future<int>>{}); }), "RuntimeError")
        << "gather of no children outside a running loop: RuntimeError (no loop to bind to)";
}

TEST(Gather, ResultsComeInArgumentOrderWhateverTheFinishingOrder) {
    VirtualLoop v;
    RecordedReports reports(v.loop);
    auto body = []() -> aio::Coro<std::vector<int>> {
        std::vector<Task<int>> children;
        for (int i = 0; i < 4; ++i)
            children.push_back(aio::create_task(value_after((40 - 10 * i) * 1ms, i)));
        co_return co_await aio::gather(children);
    };
    EXPECT_EQ(run_in_task(v.loop, body()), (std::vector<int>{0, 1, 2, 3}))
        << "ch06.gather_child_done: results in argument order, not in finishing order";
    EXPECT_EQ(v.elapsed(), 40ms) << "ch06.gather_child_done: the children ran concurrently";
    EXPECT_TRUE(reports.messages.empty())
        << "ch06.gather_child_done: nothing reaches the exception handler (results read before "
           "the last child is done fail in a callback): "
        << (reports.messages.empty() ? "" : reports.messages.front());
}

TEST(Gather, TupleFormMixesTypesAndTakesTasksAsTheyAre) {
    VirtualLoop v;
    auto text = []() -> aio::Coro<std::string> {
        co_await aio::sleep(5ms);
        co_return "five";
    };
    auto body = [&]() -> aio::Coro<std::tuple<int, std::string, std::monostate>> {
        Future<int> number = resolved_later(v.loop, 10ms, 10);
        Task<std::string> word = aio::create_task(text());
        Task<void> nap = aio::create_task(aio::sleep(1ms));
        co_return co_await aio::gather(number, word, nap);
    };
    auto [number, word, nothing] = run_in_task(v.loop, body());
    EXPECT_EQ(number, 10) << "ch06.gather_child_done: the int child's value in position 0";
    EXPECT_EQ(word, "five") << "ch06.gather_child_done: the string task's value in position 1";
    (void)nothing;
}

TEST(Gather, ChildrenAlreadyDoneAreCountedWithoutALoopPass) {
    VirtualLoop v;
    Future<int> a(v.loop), b(v.loop);
    a.set_result(1);
    b.set_result(2);
    Future<std::vector<int>> outer = aio::gather(std::vector<Future<int>>{a, b});
    ASSERT_TRUE(outer.done())
        << "ch06.gather_watch: children already done are counted at once, before any loop pass";
    EXPECT_EQ(outer.result(), (std::vector<int>{1, 2})) << "ch06.gather_child_done: their results";
}

TEST(Gather, FirstExceptionGoesToTheOuterAndSiblingsKeepRunning) {
    VirtualLoop v;
    RecordedReports reports(v.loop);
    Task<int> slow = aio::create_task(v.loop, value_after(50ms, 7));
    Task<int> failing = aio::create_task(v.loop, fail_after(10ms, "boom"));
    Future<std::vector<int>> outer = aio::gather(std::vector<Task<int>>{slow, failing});
    ASSERT_TRUE(run_until_done(v.loop, outer))
        << "ch06.gather_child_done: the failure finishes the outer";
    EXPECT_EQ(v.elapsed(), 10ms)
        << "ch06.gather_child_done: the outer fails with the first error, not at the end";
    EXPECT_EQ(outcome_kind(outer), "ValueError")
        << "ch06.gather_child_done: the child's own exception";
    EXPECT_FALSE(slow.done()) << "ch06.gather_child_done: a sibling is not cancelled by a failure";
    ASSERT_TRUE(run_until_done(v.loop, Future<int>(slow)))
        << "the run ends (a lost wake-up would leave it pending)";
    EXPECT_EQ(slow.result(), 7) << "ch06.gather_child_done: the sibling runs to its end";
    {
        Task<int> early = aio::create_task(v.loop, fail_after(10ms, "early"));
        Task<int> late = aio::create_task(v.loop, fail_after(20ms, "late"));
        Future<std::vector<int>> both = aio::gather(std::vector<Task<int>>{early, late});
        run_for(v.loop, 30ms); // not run_until_complete: that would retrieve late's error
        ASSERT_TRUE(late.done()) << "the late child fails in time";
        EXPECT_EQ(outcome_kind(both), "ValueError") << "ch06.gather_child_done: the first error";
    }
    run_for(v.loop, 1ms); // the last handles go: a never-retrieved error is reported now
    EXPECT_TRUE(reports.messages.empty())
        << "ch06.gather_child_done: an error that arrives after the outer is done is retrieved "
           "by gather, never reported as never retrieved";
}

// The children's callbacks hold the outer weakly: once nobody holds it, a
// child that ends has no outer to tell. Its error is retrieved all the same
// (nobody can ever read it), and a cancelled child has none to retrieve.
TEST(Gather, AChildThatEndsAfterItsOuterIsGoneIsNotReported) {
    VirtualLoop v;
    RecordedReports reports(v.loop);
    {
        Task<int> failing = aio::create_task(v.loop, fail_after(10ms, "nobody reads this"));
        Task<int> cancelled = aio::create_task(v.loop, value_after(1s, 2));
        {
            Future<std::vector<int>> dropped =
                aio::gather(std::vector<Task<int>>{failing, cancelled});
        }
        v.loop.call_later(20ms, [cancelled]() mutable { cancelled.cancel(); });
        run_for(v.loop, 30ms); // not run_until_complete: that would retrieve the error
        ASSERT_TRUE(failing.done() && cancelled.done()) << "both children end in time";
    }
    run_for(v.loop, 1ms); // the last handles go: a never-retrieved error is reported now
    EXPECT_TRUE(reports.messages.empty())
        << "ch06.gather_watch: a child that ends after its outer is gone has its exception "
           "marked retrieved (and a cancelled one is left alone): nothing reaches the exception "
           "handler; first report: "
        << (reports.messages.empty() ? "" : reports.messages.front());
}

// The tuple form is gather, not gather_outcomes: the first error ends the outer
// while the other child is still pending.
TEST(Gather, TupleFormEndsAtTheFirstError) {
    VirtualLoop v;
    Future<int> a(v.loop);
    Future<std::string> b(v.loop);
    auto outer = aio::gather(a, b);
    a.set_exception(std::make_exception_ptr(aio::ValueError("boom")));
    ASSERT_TRUE(run_until_done(v.loop, outer))
        << "ch06.gather_tuple: a failing child ends the tuple form at once (errors are not kept)";
    EXPECT_THROW(outer.result(), aio::ValueError)
        << "ch06.gather_tuple: the outer holds the child's error";
    EXPECT_FALSE(b.done()) << "ch06.gather_tuple: the other child is left running";
}

TEST(Gather, ACancelledChildFailsTheOuterWithACancelledErrorException) {
    VirtualLoop v;
    Future<int> a(v.loop), b(v.loop);
    Future<std::vector<int>> outer = aio::gather(std::vector<Future<int>>{a, b});
    a.cancel("gone");
    ASSERT_TRUE(run_until_done(v.loop, outer))
        << "ch06.gather_child_done, ch06.gather_results: a cancelled child finishes the outer "
           "(the list form keeps no errors)";
    EXPECT_FALSE(outer.cancelled()) << "ch06.gather_child_done: the outer is not cancelled itself, "
                                       "it holds a CancelledError exception";
    EXPECT_EQ(outcome_kind(outer), "CancelledError")
        << "ch06.gather_child_done: a CancelledError exception";
    EXPECT_EQ(std::string(cancel_message_of(outer)), "gone")
        << "ch06.gather_child_done: with the child's message";
    EXPECT_FALSE(b.cancelled()) << "ch06.gather_child_done: the other child is left alone";
}

TEST(Gather, ARepeatedChildIsAwaitedOnceAndReportedAtEachPosition) {
    VirtualLoop v;
    Future<int> twice = resolved_later(v.loop, 5ms, 4);
    Future<int> once = resolved_later(v.loop, 10ms, 9);
    Future<std::vector<int>> outer = aio::gather(std::vector<Future<int>>{twice, once, twice});
    ASSERT_TRUE(run_until_done(v.loop, outer))
        << "ch06.gather_watch: a repeated child counts once (else the outer waits forever)";
    EXPECT_EQ(outer.result(), (std::vector<int>{4, 9, 4}))
        << "ch06.gather_child_done: a repeated child's value at each of its positions";
}

TEST(Gather, ChildrenOfDifferentLoopsAreAValueError) {
    VirtualLoop first, second;
    Future<int> a(first.loop), b(second.loop);
    EXPECT_EQ(thrown_by([&] {
                  aio::gather(std::vector<Future<int>>{a, b});
              }),
              "ValueError")
        << "gather of futures of two loops: ValueError";
}

TEST(Gather, CancellingTheOuterCancelsEveryChildAndTheAwaitingTask) {
    VirtualLoop v;
    std::vector<Task<int>> children;
    for (int i = 0; i < 3; ++i)
        children.push_back(aio::create_task(v.loop, value_after(1s, i)));
    Future<std::vector<int>> outer = aio::gather(children);
    auto waiter_body = [outer]() -> aio::Coro<void> { co_await outer; };
    Task<void> waiter = aio::create_task(v.loop, waiter_body());
    run_for(v.loop, 10ms);
    EXPECT_TRUE(outer.cancel("stop")) << "ch06.gather_cancel: cancel() is true while children run";
    ASSERT_TRUE(run_until_done(v.loop, Future<void>(waiter)))
        << "the run ends (a lost wake-up would leave it pending)";
    for (const Task<int>& child : children)
        EXPECT_TRUE(child.cancelled()) << "ch06.gather_cancel: every child is cancelled";
    EXPECT_TRUE(waiter.cancelled())
        << "ch06.gather_cancel: the task awaiting the outer gets CancelledError";
    EXPECT_EQ(outcome_kind(outer), "CancelledError")
        << "ch06.gather_child_done: the outer ends in CancelledError";
    EXPECT_LT(v.elapsed(), 1s) << "ch06.gather_cancel: nobody waited for the children's sleep";
}

TEST(Gather, CancellingTheTaskThatAwaitsItCancelsEveryChild) {
    VirtualLoop v;
    std::vector<Task<int>> children;
    for (int i = 0; i < 3; ++i)
        children.push_back(aio::create_task(v.loop, value_after(1s, i)));
    auto waiter_body = [&children]() -> aio::Coro<void> { co_await aio::gather(children); };
    Task<void> waiter = aio::create_task(v.loop, waiter_body());
    run_for(v.loop, 10ms);
    waiter.cancel("caller gave up");
    ASSERT_TRUE(run_until_done(v.loop, Future<void>(waiter)))
        << "the run ends (a lost wake-up would leave it pending)";
    EXPECT_TRUE(waiter.cancelled()) << "ch06.gather_cancel: the cancelled caller ends cancelled";
    for (const Task<int>& child : children)
        EXPECT_TRUE(child.cancelled()) << "ch06.gather_cancel: a task's cancel reaches the gather "
                                          "it awaits, and through it every child";
    EXPECT_EQ(cancel_message_of(Future<int>(children[0])), "caller gave up")
        << "ch06.gather_cancel: with the caller's message";
}

TEST(Gather, CancelIsFalseOnceEveryChildIsDone) {
    VirtualLoop v;
    Future<int> a(v.loop), b(v.loop);
    Future<std::vector<int>> outer = aio::gather(std::vector<Future<int>>{a, b});
    a.set_result(1);
    b.set_result(2);
    EXPECT_FALSE(outer.cancel())
        << "ch06.gather_cancel: no child accepts the cancel, so cancel() is false";
    ASSERT_TRUE(run_until_done(v.loop, outer))
        << "the run ends (a lost wake-up would leave it pending)";
    EXPECT_EQ(outer.result(), (std::vector<int>{1, 2}))
        << "ch06.gather_cancel: a refused cancel leaves the results alone";
    EXPECT_FALSE(outer.cancel()) << "ch06.gather_cancel: a done outer refuses cancel()";
}

TEST(GatherOutcomes, ReportsEveryOutcomeInArgumentOrder) {
    VirtualLoop v;
    Task<int> good = aio::create_task(v.loop, value_after(30ms, 3));
    Task<int> bad = aio::create_task(v.loop, fail_after(10ms, "bad"));
    Future<int> dropped(v.loop);
    dropped.cancel("dropped");
    Future<std::vector<aio::Outcome<int>>> outer =
        aio::gather_outcomes(std::vector<Future<int>>{good, bad, dropped});
    ASSERT_TRUE(run_until_done(v.loop, outer))
        << "ch06.gather_outcomes, ch06.gather_child_done: gather_outcomes waits for all";
    EXPECT_EQ(v.elapsed(), 30ms) << "ch06.gather_outcomes, ch06.gather_child_done: an error does "
                                    "not end gather_outcomes early";
    std::vector<aio::Outcome<int>> outcomes = outer.result();
    ASSERT_EQ(outcomes.size(), 3u)
        << "ch06.gather_outcomes, ch06.gather_child_done: one outcome per child";
    EXPECT_TRUE(outcomes[0].ok())
        << "ch06.gather_outcomes, ch06.gather_child_done: the good child is ok";
    EXPECT_EQ(outcomes[0].value(), 3)
        << "ch06.gather_outcomes, ch06.gather_child_done: with its value";
    EXPECT_EQ(kind_of(outcomes[1].error()), "ValueError")
        << "ch06.gather_outcomes, ch06.gather_child_done: the failing child's error";
    EXPECT_EQ(kind_of(outcomes[2].error()), "CancelledError")
        << "ch06.gather_outcomes, ch06.gather_child_done: a cancelled child is a CancelledError "
           "outcome";
    EXPECT_EQ(thrown_by([&] { (void)outcomes[1].value(); }), "ValueError")
        << "Outcome::value() rethrows the error";
}

TEST(GatherOutcomes, CancellingTheOuterStillCancelsTheChildrenAndTheCaller) {
    // bpo-32684: return_exceptions=True must not turn a cancel of the outer
    // into a list of CancelledError results that the caller carries on with.
    VirtualLoop v;
    Task<int> child = aio::create_task(v.loop, value_after(1s, 1));
    Future<std::vector<aio::Outcome<int>>> outer =
        aio::gather_outcomes(std::vector<Future<int>>{child});
    bool went_on = false;
    auto caller_body = [outer, &went_on]() -> aio::Coro<void> {
        co_await outer;
        went_on = true;
    };
    Task<void> caller = aio::create_task(v.loop, caller_body());
    run_for(v.loop, 10ms);
    EXPECT_TRUE(outer.cancel()) << "ch06.gather_cancel: the outer accepts the cancel";
    ASSERT_TRUE(run_until_done(v.loop, Future<void>(caller)))
        << "the run ends (a lost wake-up would leave it pending)";
    EXPECT_TRUE(child.cancelled()) << "ch06.gather_cancel: the child is cancelled";
    EXPECT_TRUE(caller.cancelled())
        << "ch06.gather_child_done: the caller gets CancelledError, not a list";
    EXPECT_FALSE(went_on) << "ch06.gather_child_done: the caller does not carry on";
}
