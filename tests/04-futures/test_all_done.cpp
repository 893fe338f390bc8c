// Graded tests: gather written by hand, all_done (asyncio: gather):
// exercise ch04.all_done.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fetch_callbacks.hpp"
#include "future_test_helpers.hpp"

using aio::EventLoop;
using aio::Future;

// ---------------------------------------------------------------- ch04.all_done

TEST(AllDone, DoneWhenEveryFutureIs) {
    EventLoop loop;
    looplab::RecordedReports reports(loop);
    std::vector<Future<std::string>> futures{Future<std::string>(loop), Future<std::string>(loop)};
    Future<void> all = aio::all_done(loop, futures);
    futures[1].set_result("b");
    for (int pass = 0; pass < 3; ++pass)
        looplab::run_one_iteration(loop);
    EXPECT_FALSE(all.done()) << "ch04.all_done: one of two futures is done: keep waiting";
    futures[0].set_result("a");
    for (int pass = 0; pass < 3; ++pass)
        looplab::run_one_iteration(loop);
    ASSERT_TRUE(all.done()) << "ch04.all_done: both are done: so is all_done's future";
    EXPECT_NO_THROW(all.result()) << "ch04.all_done: no failure, no exception";
    EXPECT_TRUE(aio::all_done(loop, {}).done())
        << "ch04.all_done: no futures at all: done at once (nothing would ever complete it)";
    looplab::expect_no_reports(reports, "ch04.all_done");
}

TEST(AllDone, TheFirstFailureDecidesAndEveryExceptionIsRetrieved) {
    EventLoop loop;
    looplab::RecordedReports reports(loop);
    {
        std::vector<Future<std::string>> futures{
            Future<std::string>(loop), Future<std::string>(loop), Future<std::string>(loop)};
        Future<void> all = aio::all_done(loop, futures);
        futures[2].set_exception(std::make_exception_ptr(aio::KeyError("first")));
        for (int pass = 0; pass < 3; ++pass)
            looplab::run_one_iteration(loop);
        ASSERT_TRUE(all.done()) << "ch04.all_done: the first failure decides at once";
        EXPECT_EQ(looplab::what_of(all.exception()), "first")
            << "ch04.all_done: ...with that future's exception";
        futures[0].set_exception(std::make_exception_ptr(aio::KeyError("too late")));
        futures[1].set_result("fine");
        for (int pass = 0; pass < 3; ++pass)
            looplab::run_one_iteration(loop);
        EXPECT_EQ(looplab::what_of(all.exception()), "first")
            << "ch04.all_done: a later failure changes nothing (and must not set it twice)";
    }
    looplab::expect_no_reports(reports, "ch04.all_done: every failed future's exception is "
                                        "retrieved in its done callback, even a late one");
}

TEST(AllDone, ACancelledFutureCancelsIt) {
    EventLoop loop;
    looplab::RecordedReports reports(loop);
    std::vector<Future<std::string>> futures{Future<std::string>(loop), Future<std::string>(loop)};
    Future<void> all = aio::all_done(loop, futures);
    futures[0].cancel();
    for (int pass = 0; pass < 3; ++pass)
        looplab::run_one_iteration(loop);
    EXPECT_TRUE(all.cancelled())
        << "ch04.all_done: a cancelled future cancels all_done's (exception() would throw)";
    futures[1].set_result("late");
    for (int pass = 0; pass < 3; ++pass)
        looplab::run_one_iteration(loop);
    looplab::expect_no_reports(reports, "ch04.all_done");
}
