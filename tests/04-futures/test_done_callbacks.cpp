// Graded tests: done callbacks are scheduled on the loop, never run inline
// (asyncio: Future.add_done_callback, remove_done_callback, __schedule_callbacks).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "future.hpp"
#include "future_test_helpers.hpp"

using aio::EventLoop;
using aio::Future;
using looplab::run_one_iteration;

TEST(DoneCallbacks, RunOnTheNextIterationNotInline) {
    EventLoop loop;
    Future<int> f(loop);
    int seen = -1;
    f.add_done_callback([&](Future<int> done) { seen = done.result(); });
    f.set_result(7);
    EXPECT_EQ(seen, -1) << "set_result must SCHEDULE the callbacks (call_soon), never run them";
    run_one_iteration(loop);
    EXPECT_EQ(seen, 7) << "the callback runs on the loop's next iteration";
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
        << "a callback scheduled while an iteration runs waits for the next one";
    run_one_iteration(loop);
    EXPECT_EQ(order.size(), 3u);
}

TEST(DoneCallbacks, RunInRegistrationOrder) {
    EventLoop loop;
    Future<void> f(loop);
    std::vector<int> order;
    for (int i = 0; i < 5; ++i)
        f.add_done_callback([&order, i](Future<void>) { order.push_back(i); });
    f.set_result();
    run_one_iteration(loop);
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4})) << "done callbacks run FIFO";
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
    EXPECT_TRUE(same) << "the callback's argument is a handle to the same future";
    EXPECT_EQ(value, "ready");
    EXPECT_THROW(f.add_done_callback({}), aio::ValueError);
}

TEST(DoneCallbacks, AddedToADoneFutureIsScheduledAtOnce) {
    EventLoop loop;
    Future<int> f(loop);
    f.set_result(3);
    int seen = -1;
    f.add_done_callback([&](Future<int> done) { seen = done.result(); });
    EXPECT_EQ(seen, -1) << "even on a done future the callback is scheduled, not run inline";
    run_one_iteration(loop);
    EXPECT_EQ(seen, 3) << "a callback added to a done future runs on the next iteration";
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
    EXPECT_EQ(order, (std::vector<std::string>{"first", "second"}));
    run_one_iteration(loop);
    EXPECT_EQ(order, (std::vector<std::string>{"first", "second", "added by first"}))
        << "a callback added to the (now done) future is scheduled for the next iteration";
}

TEST(DoneCallbacks, CancelSchedulesThem) {
    EventLoop loop;
    Future<int> f(loop);
    bool saw_cancelled = false;
    f.add_done_callback([&](Future<int> done) { saw_cancelled = done.cancelled(); });
    f.cancel();
    EXPECT_FALSE(saw_cancelled);
    run_one_iteration(loop);
    EXPECT_TRUE(saw_cancelled) << "cancel() schedules the done callbacks too";
}

TEST(DoneCallbacks, SetExceptionSchedulesThem) {
    EventLoop loop;
    Future<int> f(loop);
    std::string seen;
    f.add_done_callback([&](Future<int> done) { seen = looplab::what_of(done.exception()); });
    f.set_exception(std::make_exception_ptr(aio::ValueError("bad")));
    EXPECT_EQ(seen, "");
    run_one_iteration(loop);
    EXPECT_EQ(seen, "bad");
}

TEST(DoneCallbacks, RemoveDoneCallback) {
    EventLoop loop;
    Future<int> f(loop);
    std::vector<int> ran;
    aio::CallbackId first = f.add_done_callback([&](Future<int>) { ran.push_back(1); });
    aio::CallbackId second = f.add_done_callback([&](Future<int>) { ran.push_back(2); });
    EXPECT_NE(first, second) << "each registration gets its own id";
    EXPECT_TRUE(f.remove_done_callback(first)) << "removing a registered callback returns true";
    EXPECT_FALSE(f.remove_done_callback(first)) << "it is gone: a second remove returns false";
    aio::CallbackId third = f.add_done_callback([&](Future<int>) { ran.push_back(3); });
    f.set_result(0);
    EXPECT_FALSE(f.remove_done_callback(third)) << "false once the callbacks were scheduled";
    run_one_iteration(loop);
    EXPECT_EQ(ran, (std::vector<int>{2, 3})) << "a removed callback never runs; the rest do";
}

TEST(DoneCallbacks, EveryCallbackRunsExactlyOnce) {
    EventLoop loop;
    Future<int> f(loop);
    int runs = 0;
    f.add_done_callback([&](Future<int>) { ++runs; });
    f.set_result(1);
    EXPECT_FALSE(f.cancel());
    for (int i = 0; i < 3; ++i)
        run_one_iteration(loop);
    EXPECT_EQ(runs, 1) << "once scheduled, the callback list must be emptied";
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
    EXPECT_FALSE(watch.expired()) << "a scheduled callback holds its future";
    run_one_iteration(loop);
    EXPECT_EQ(seen, 11);
    EXPECT_TRUE(watch.expired()) << "after its callbacks ran, nothing holds the future";
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
    EXPECT_TRUE(watch.expired())
        << "the callback list must not hold a strong reference to its own future (a cycle)";
}
