// Graded tests, the hand-back (loop_bridge.hpp, loop_bridge.cpp): the link,
// run_in_executor's outcomes on the loop's thread, cancellation, closed loops.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "loop_bridge.hpp"
#include "threads_test_helpers.hpp"

using aio::EventLoop;
using aio::Future;
using aio::ThreadPoolExecutor;
using looplab::Gate;
using looplab::PeakCounter;
using looplab::run_for;
using looplab::run_until_done;
using namespace std::chrono_literals;

TEST(LoopLink, PostWakesTheBlockedLoopAndRunsOnItsThread) {
    EventLoop loop;
    aio::detail::LoopLink link(loop);
    std::thread::id ran_on;
    Future<void> done(loop);
    std::thread poster([&] {
        std::this_thread::sleep_for(30ms); // the loop is blocked in select by now
        bool posted = link.post([&] {
            ran_on = std::this_thread::get_id();
            done.set_result();
        });
        EXPECT_TRUE(posted) << "ch09.post: post to an open loop returns true";
    });
    bool finished = run_until_done(loop, done, 5s);
    poster.join();
    ASSERT_TRUE(finished)
        << "ch09.post: the post must reach the loop (call_soon_threadsafe wakes it)";
    EXPECT_EQ(ran_on, std::this_thread::get_id())
        << "ch09.post: the callback runs on the loop's thread";
}

TEST(LoopLink, ACutLinkOrAClosedLoopDropsThePost) {
    int ran = 0;
    {
        EventLoop loop;
        aio::detail::LoopLink link(loop);
        link.cut();
        EXPECT_FALSE(link.post([&] { ++ran; })) << "ch09.post: a cut link drops the post";
        run_for(loop, 10ms);
    }
    EventLoop loop;
    aio::detail::LoopLink link(loop);
    loop.close();
    bool posted = true;
    EXPECT_NO_THROW(posted = link.post([&] { ++ran; }))
        << "ch09.post: posting to a closed loop is not an error for a worker";
    EXPECT_FALSE(posted) << "ch09.post: a closed loop drops the post";
    EXPECT_EQ(ran, 0) << "ch09.post: a dropped post never runs";
}

TEST(RunInExecutor, RunsTheCallableOnAWorkerNotTheLoop) {
    EventLoop loop;
    ThreadPoolExecutor pool(2);
    std::atomic<bool> ran{false};
    std::thread::id worker;
    auto job = [&] {
        worker = std::this_thread::get_id();
        ran = true;
        return 1;
    };
    aio::run_in_executor(loop, &pool, job);
    pool.shutdown(true); // the call has run; its outcome waits in the loop's queue
    EXPECT_TRUE(ran.load()) << "ch09.run_call: the worker must run the callable";
    EXPECT_NE(worker, std::this_thread::get_id())
        << "ch09.run_call: on a worker thread, not the loop's";
}

TEST(RunInExecutor, TheResultComesBackOnTheLoopThread) {
    EventLoop loop;
    ThreadPoolExecutor pool(2);
    auto job = [] { return std::string("computed on a worker"); };
    Future<std::string> future = aio::run_in_executor(loop, &pool, job);
    std::thread::id settled_on;
    future.add_done_callback([&](Future<std::string>) { settled_on = std::this_thread::get_id(); });
    ASSERT_TRUE(run_until_done(loop, future)) << "ch09.settle: the future never completed";
    EXPECT_EQ(future.result(), "computed on a worker")
        << "ch09.settle: the callable's value is the result";
    EXPECT_EQ(settled_on, std::this_thread::get_id())
        << "ch09.settle: the future completes on the loop's thread";
    auto nothing = [] {};
    Future<void> void_future = aio::run_in_executor(loop, &pool, nothing);
    ASSERT_TRUE(run_until_done(loop, void_future)) << "ch09.settle: a void call completes too";
    EXPECT_NO_THROW(void_future.result()) << "ch09.settle: a void call that returned has a result";
}

TEST(RunInExecutor, AnExceptionComesBackWithItsType) {
    EventLoop loop;
    ThreadPoolExecutor pool(1);
    auto job = []() -> int { throw std::out_of_range("index 7 of 3"); };
    Future<int> future = aio::run_in_executor(loop, &pool, job);
    ASSERT_TRUE(run_until_done(loop, future)) << "ch09.settle: the future never completed";
    EXPECT_THROW(future.result(), std::out_of_range)
        << "ch09.run_call/ch09.settle: the worker's exception is the future's, type intact";
    auto odd = []() -> int { throw 42; }; // C++ may throw anything, not only std::exception
    Future<int> odd_future = aio::run_in_executor(loop, &pool, odd);
    ASSERT_TRUE(run_until_done(loop, odd_future)) << "ch09.settle: the future never completed";
    EXPECT_THROW(odd_future.result(), int)
        << "ch09.run_call: an exception of any type (here an int) comes back in the future; "
           "none escapes the worker";
}

TEST(RunInExecutor, ConcurrencyIsBoundedByThePoolSize) {
    EventLoop loop;
    ThreadPoolExecutor pool(3);
    PeakCounter running;
    std::vector<Future<int>> futures;
    for (int i = 0; i < 12; ++i) {
        auto job = [&running, i] {
            running.enter();
            std::this_thread::sleep_for(15ms);
            running.leave();
            return i * i;
        };
        futures.push_back(aio::run_in_executor(loop, &pool, job));
    }
    for (Future<int>& future : futures)
        ASSERT_TRUE(run_until_done(loop, future)) << "ch09.settle: a future never completed";
    for (int i = 0; i < 12; ++i)
        EXPECT_EQ(futures[i].result(), i * i)
            << "ch09.settle: each future gets its own call's value";
    EXPECT_EQ(running.peak(), 3) << "12 calls on a pool of 3: exactly 3 at once";
}

TEST(RunInExecutor, CancellingBeforeTheCallStartsMeansItNeverRuns) {
    EventLoop loop;
    ThreadPoolExecutor pool(1);
    Gate gate;
    std::atomic<bool> second_ran{false};
    auto blocker = [&] { gate.wait(); };
    auto second = [&] { second_ran = true; };
    Future<void> first = aio::run_in_executor(loop, &pool, blocker);
    Future<void> queued = aio::run_in_executor(loop, &pool, second);
    EXPECT_TRUE(queued.cancel()) << "ch09.hand_off: a pending future can be cancelled";
    run_for(loop, 20ms); // the done callback marks the call cancelled
    gate.open();
    ASSERT_TRUE(run_until_done(loop, first)) << "ch09.settle: the first call never completed";
    pool.shutdown(true);
    EXPECT_FALSE(second_ran.load())
        << "ch09.hand_off, ch09.run_call: a call whose future was cancelled before it started "
           "never runs";
    EXPECT_TRUE(queued.cancelled()) << "ch09.settle: the cancelled future stays cancelled";
}

TEST(RunInExecutor, CancellingWhileItRunsCannotStopTheThreadAndDropsTheOutcome) {
    EventLoop loop;
    ThreadPoolExecutor pool(1);
    Gate started, gate;
    std::atomic<bool> finished{false};
    auto job = [&] {
        started.open();
        gate.wait();
        finished = true;
        return 42;
    };
    int handled = 0;
    loop.set_exception_handler([&](EventLoop&, const aio::ExceptionContext&) { ++handled; });
    Future<int> future = aio::run_in_executor(loop, &pool, job);
    ASSERT_TRUE(started.wait()) << "ch09.run_call: the call never started";
    EXPECT_TRUE(future.cancel()) << "ch09.hand_off: a running call's future can be cancelled";
    gate.open();
    run_for(loop, 50ms); // the worker posts its outcome meanwhile
    pool.shutdown(true);
    run_for(loop, 10ms);
    EXPECT_TRUE(finished.load())
        << "ch09.run_call: a running thread cannot be stopped: the call ran to its end";
    EXPECT_TRUE(future.cancelled())
        << "ch09.settle: a late outcome must not touch a cancelled future";
    EXPECT_EQ(handled, 0) << "ch09.settle: the late outcome is dropped quietly, not set on the "
                             "done future (an InvalidStateError in the exception handler)";
}

TEST(RunInExecutor, AResultPostedJustBeforeTheLoopBlocksIsNotLost) {
    EventLoop loop;
    ThreadPoolExecutor pool(1);
    // Each await leaves the loop with nothing to do but wait for the worker: a
    // lost wake-up would block select() for good (the guard then fails the test).
    for (int i = 0; i < 2000; ++i) {
        auto job = [i] { return i; };
        Future<int> future = aio::run_in_executor(loop, &pool, job);
        ASSERT_TRUE(run_until_done(loop, future, 5s))
            << "ch09.post/ch09.settle: outcome " << i << " was lost: the loop never woke";
        ASSERT_EQ(future.result(), i) << "ch09.settle: each call's own value";
    }
}

TEST(RunInExecutor, CompletionsForAClosedOrDestroyedLoopAreDropped) {
    ThreadPoolExecutor pool(2);
    Gate gate;
    auto job = [&] {
        gate.wait();
        return std::string("late");
    };
    EventLoop closed;
    Future<std::string> on_closed = aio::run_in_executor(closed, &pool, job);
    auto destroyed = std::make_unique<EventLoop>();
    aio::run_in_executor(*destroyed, &pool, job);
    closed.close();
    destroyed.reset();
    gate.open();
    pool.shutdown(true); // both workers finish and post into the void; ASan/TSan watch
    EXPECT_FALSE(on_closed.done())
        << "ch09.post: an outcome for a closed loop is dropped, its future untouched";
}

TEST(RunInExecutor, ShutdownWithCancelFuturesCancelsTheLoopsFutures) {
    EventLoop loop;
    ThreadPoolExecutor pool(1);
    Gate started, gate;
    auto blocker = [&] {
        started.open();
        gate.wait();
        return 1;
    };
    auto queued_job = [] { return 2; };
    Future<int> running = aio::run_in_executor(loop, &pool, blocker);
    Future<int> queued = aio::run_in_executor(loop, &pool, queued_job);
    ASSERT_TRUE(started.wait()) << "ch09.worker: the first call never started";
    pool.shutdown(false, true);
    gate.open();
    ASSERT_TRUE(run_until_done(loop, queued))
        << "ch09.hand_off, ch09.settle: a call that shutdown dropped must still cancel its future";
    EXPECT_TRUE(queued.cancelled()) << "ch09.settle: cancel_futures cancels the loop's future";
    ASSERT_TRUE(run_until_done(loop, running)) << "ch09.settle: the running call still completes";
    EXPECT_EQ(running.result(), 1) << "ch09.settle: the running call's value arrives";
}

TEST(RunInExecutor, RefusesAClosedLoopOrAShutDownExecutor) {
    ThreadPoolExecutor pool(1);
    auto job = [] { return 1; };
    EventLoop closed;
    closed.close();
    EXPECT_THROW(aio::run_in_executor(closed, &pool, job), aio::RuntimeError)
        << "ch09.hand_off: run_in_executor on a closed loop: RuntimeError";
    EventLoop loop;
    pool.shutdown(true);
    EXPECT_THROW(aio::run_in_executor(loop, &pool, job), aio::RuntimeError)
        << "ch09.shutdown, ch09.hand_off: run_in_executor on a shut-down executor: RuntimeError";
    EXPECT_EQ(loop.extension<aio::detail::ExecutorBridge>().in_flight(), 0u)
        << "ch09.hand_off: a refused call leaves nothing behind in the loop's bridge";
}

TEST(DefaultExecutor, CloseWaitsForRunningCallsAndCancelsQueuedOnes) {
    auto loop = std::make_unique<EventLoop>();
    Gate gate;
    std::atomic<int> started{0}, ran{0};
    std::size_t workers = ThreadPoolExecutor().max_workers();
    std::vector<Future<void>> futures;
    for (std::size_t i = 0; i < workers + 3; ++i) {
        auto job = [&] {
            ++started;
            gate.wait();
            ++ran;
        };
        futures.push_back(aio::run_in_executor(*loop, nullptr, job));
    }
    for (int spin = 0; spin < 1000 && started.load() < static_cast<int>(workers); ++spin)
        std::this_thread::sleep_for(5ms); // every worker holds a call; 3 stay queued
    ASSERT_EQ(started.load(), static_cast<int>(workers))
        << "ch09.worker: the default executor runs max_workers calls at once";
    std::thread opener([&] {
        std::this_thread::sleep_for(100ms);
        gate.open();
    });
    loop->close(); // shuts the default executor down: wait=true, cancel_futures=true
    int after_close = ran.load();
    opener.join();
    EXPECT_EQ(after_close, static_cast<int>(workers))
        << "ch09.shutdown: close() waits for the running calls; the 3 queued never run";
}
