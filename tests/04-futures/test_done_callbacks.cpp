// Graded tests: done callbacks are scheduled on the loop, never run inline
// (asyncio: Future.add_done_callback, remove_done_callback, __schedule_callbacks):
// exercises ch04.add_done_callback, ch04.schedule_callbacks, ch04.remove_done_callback.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "future.hpp"
#include "future_test_helpers.hpp"

using aio::EventLoop;
using aio::Future;
using looplab::run_one_iteration;

// ---------------------------------------------------------------- ch04.add_done_callback

TEST(DoneCallbacks, EachRegistrationGetsItsOwnId) {
    EventLoop loop;
    Future<int> f(loop);
    bool ran = false;
    auto cb = [&](Future<int>) { ran = true; };
    aio::CallbackId first = f.add_done_callback(cb);
    aio::CallbackId second = f.add_done_callback(cb);
    EXPECT_NE(first, 0u) << "ch04.add_done_callback: ids start at 1 (next_id_)";
    EXPECT_NE(first, second)
        << "ch04.add_done_callback: each registration gets its own id, even for the same callback";
    run_one_iteration(loop);
    EXPECT_FALSE(ran) << "ch04.add_done_callback: on a pending future a callback only waits";
    EXPECT_THROW(f.add_done_callback({}), aio::ValueError)
        << "an empty callback is refused at once (given code)";
}

TEST(DoneCallbacks, APendingFutureDoesNotKeepItselfAlive) {
    EventLoop loop;
    std::weak_ptr<aio::detail::FutureState<int>> watch;
    {
        Future<int> f(loop);
        watch = f.state();
        f.add_done_callback([](Future<int>) {});
        f.add_done_callback([](Future<int>) {});
    }
    EXPECT_TRUE(watch.expired()) << "ch04.add_done_callback: the callback list must not hold a "
                                    "strong reference to its own future (a cycle)";
}

// ---------------------------------------------------------------- ch04.schedule_callbacks

TEST(DoneCallbacks, RunOnTheNextIterationNotInline) {
    EventLoop loop;
    Future<int> f(loop);
    int seen = -1;
    f.add_done_callback([&](Future<int> done) { seen = done.result(); });
    f.set_result(7);
    EXPECT_EQ(seen, -1)
        << "ch04.finish, ch04.schedule_callbacks: set_result must SCHEDULE the callbacks "
           "(call_soon), never run them inside the call";
    run_one_iteration(loop);
    EXPECT_EQ(seen, 7) << "ch04.schedule_callbacks: the callback runs on the loop's next pass";
}

TEST(DoneCallbacks, ScheduledDuringAnIterationRunInTheNext) {
    EventLoop loop;
    Future<int> f(loop);
    std::vector<std::string> order;
    f.add_done_callback([&](Future<int>) { order.push_back("done callback"); });
    loop.call_soon([&] {
        order.push_back("set_result");
        f.set_result(1);
        order.push_back("after set_result");
    });
    run_one_iteration(loop);
    EXPECT_EQ(order, (std::vector<std::string>{"set_result", "after set_result"}))
        << "ch04.finish, ch04.schedule_callbacks: a callback scheduled while a pass runs waits "
           "for the next, it never runs inside set_result";
    run_one_iteration(loop);
    EXPECT_EQ(order.size(), 3u) << "ch04.schedule_callbacks: ... and runs in the next pass";
}

TEST(DoneCallbacks, RunInRegistrationOrder) {
    EventLoop loop;
    Future<void> f(loop);
    std::vector<int> order;
    for (int i = 0; i < 5; ++i)
        f.add_done_callback([&order, i](Future<void>) { order.push_back(i); });
    f.set_result();
    run_one_iteration(loop);
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}))
        << "ch04.schedule_callbacks: done callbacks run in registration order (FIFO)";
}

TEST(DoneCallbacks, ReceiveTheFutureItself) {
    EventLoop loop;
    Future<std::string> f(loop);
    bool same = false;
    std::string value;
    f.add_done_callback([&](Future<std::string> done) {
        same = done == f;
        value = done.result();
    });
    f.set_result("ready");
    run_one_iteration(loop);
    EXPECT_TRUE(same)
        << "ch04.schedule_callbacks: the callback's argument is a handle to the same future";
    EXPECT_EQ(value, "ready") << "ch04.schedule_callbacks: the callback sees the result";
}

TEST(DoneCallbacks, AddedToADoneFutureIsScheduledAtOnce) {
    EventLoop loop;
    Future<int> f(loop);
    f.set_result(3);
    int seen = -1;
    f.add_done_callback([&](Future<int> done) { seen = done.result(); });
    EXPECT_EQ(seen, -1)
        << "ch04.add_done_callback: even on a done future the callback is scheduled, not run";
    run_one_iteration(loop);
    EXPECT_EQ(seen, 3)
        << "ch04.add_done_callback: a callback added to a done future runs on the next pass";
}

TEST(DoneCallbacks, ACallbackMayAddAnotherCallback) {
    EventLoop loop;
    Future<int> f(loop);
    std::vector<std::string> order;
    f.add_done_callback([&](Future<int> done) {
        order.push_back("first");
        done.add_done_callback([&](Future<int>) { order.push_back("added by first"); });
    });
    f.add_done_callback([&](Future<int>) { order.push_back("second"); });
    f.set_result(1);
    run_one_iteration(loop);
    EXPECT_EQ(order, (std::vector<std::string>{"first", "second"}))
        << "ch04.schedule_callbacks: both registered callbacks run in the first pass";
    run_one_iteration(loop);
    EXPECT_EQ(order, (std::vector<std::string>{"first", "second", "added by first"}))
        << "ch04.add_done_callback: a callback added to the (now done) future is scheduled for "
           "the next pass";
}

TEST(DoneCallbacks, CancelSchedulesThem) {
    EventLoop loop;
    Future<int> f(loop);
    bool saw_cancelled = false;
    f.add_done_callback([&](Future<int> done) { saw_cancelled = done.cancelled(); });
    f.cancel();
    EXPECT_FALSE(saw_cancelled)
        << "ch04.cancel: cancel() schedules the done callbacks; it must not run them inline";
    run_one_iteration(loop);
    EXPECT_TRUE(saw_cancelled)
        << "ch04.cancel: the callbacks of a cancelled future run on the next pass and see it "
           "CANCELLED";
}

TEST(DoneCallbacks, SetExceptionSchedulesThem) {
    EventLoop loop;
    Future<int> f(loop);
    bool ran = false;
    std::string seen;
    f.add_done_callback([&](Future<int> done) {
        ran = true;
        seen = looplab::what_of(done.exception());
    });
    f.set_exception(std::make_exception_ptr(aio::ValueError("bad")));
    EXPECT_FALSE(ran) << "ch04.set_exception: set_exception schedules the done callbacks; it must "
                         "not run them inline";
    run_one_iteration(loop);
    EXPECT_TRUE(ran) << "ch04.set_exception: the callbacks of a failed future run on the next pass";
    EXPECT_EQ(seen, "bad") << "ch04.set_exception: the callback sees the exception that was set";
}

TEST(DoneCallbacks, EveryCallbackRunsExactlyOnce) {
    EventLoop loop;
    Future<int> f(loop);
    int runs = 0;
    f.add_done_callback([&](Future<int>) { ++runs; });
    f.set_result(1);
    EXPECT_FALSE(f.cancel()) << "ch04.cancel: a finished future refuses a cancel";
    f.add_done_callback([](Future<int>) {});
    for (int i = 0; i < 3; ++i)
        run_one_iteration(loop);
    EXPECT_EQ(runs, 1) << "ch04.schedule_callbacks: once scheduled, the callback list must be "
                          "emptied; a callback runs once, whatever happens after";
}

TEST(DoneCallbacks, KeepTheFutureAliveUntilTheyRun) {
    EventLoop loop;
    std::weak_ptr<aio::detail::FutureState<int>> watch;
    int seen = -1;
    {
        Future<int> f(loop);
        watch = f.state();
        f.add_done_callback([&](Future<int> done) { seen = done.result(); });
        f.set_result(11);
    } // the last handle is gone; the scheduled callback still needs the future
    EXPECT_FALSE(watch.expired())
        << "ch04.schedule_callbacks: a scheduled callback holds a strong reference to its future";
    run_one_iteration(loop);
    EXPECT_EQ(seen, 11) << "ch04.schedule_callbacks: the callback ran with the future's result";
    EXPECT_TRUE(watch.expired())
        << "ch04.schedule_callbacks: after its callbacks ran, nothing holds the future";
}

// ---------------------------------------------------------------- ch04.remove_done_callback

TEST(DoneCallbacks, RemoveDoneCallback) {
    EventLoop loop;
    Future<int> f(loop);
    std::vector<int> ran;
    aio::CallbackId first = f.add_done_callback([&](Future<int>) { ran.push_back(1); });
    f.add_done_callback([&](Future<int>) { ran.push_back(2); });
    EXPECT_TRUE(f.remove_done_callback(first))
        << "ch04.remove_done_callback: removing a registered callback returns true";
    EXPECT_FALSE(f.remove_done_callback(first))
        << "ch04.remove_done_callback: it is gone: a second remove returns false";
    EXPECT_FALSE(f.remove_done_callback(12345))
        << "ch04.remove_done_callback: an id never given out returns false";
    aio::CallbackId third = f.add_done_callback([&](Future<int>) { ran.push_back(3); });
    f.set_result(0);
    EXPECT_FALSE(f.remove_done_callback(third))
        << "ch04.remove_done_callback: false once the callbacks were scheduled";
    run_one_iteration(loop);
    EXPECT_EQ(ran, (std::vector<int>{2, 3}))
        << "ch04.remove_done_callback: a removed callback never runs; the others do, in order";
}
