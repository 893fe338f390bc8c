// Graded tests, the pool on its own (thread_pool.cpp): shutdown, the workers'
// queue, threads on demand, cancel_futures. No event loop here.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "executor.hpp"
#include "threads_test_helpers.hpp"

using aio::ThreadPoolExecutor;
using looplab::Gate;
using looplab::PeakCounter;
using namespace std::chrono_literals;

namespace {
// An item that runs `body` and has no cancel step.
ThreadPoolExecutor::WorkItem item(std::function<void()> body) {
    return {std::move(body), [] {}};
}
} // namespace

TEST(Pool, DefaultSizeIsCoresPlusFourAtMostThirtyTwo) {
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    ThreadPoolExecutor pool;
    EXPECT_EQ(pool.max_workers(), std::min<std::size_t>(32, cores + 4))
        << "ThreadPoolExecutor(0): min(32, cores + 4) workers, as Python 3.8+";
    EXPECT_EQ(ThreadPoolExecutor(3).max_workers(), 3u) << "an explicit size is kept";
}

TEST(Shutdown, MarksThePoolAndASecondShutdownChangesNothing) {
    ThreadPoolExecutor pool(2);
    pool.shutdown(true);
    EXPECT_TRUE(pool.is_shutdown()) << "ch09.shutdown: shutdown() must mark the pool shut down";
    EXPECT_NO_THROW(pool.shutdown(false, true)) << "ch09.shutdown: a second shutdown does nothing";
    EXPECT_TRUE(pool.is_shutdown()) << "ch09.shutdown: and the pool stays shut down";
    EXPECT_EQ(pool.thread_count(), 0u) << "a pool that never had work never made a thread";
}

TEST(Submit, RefusesNewWorkAfterShutdown) {
    ThreadPoolExecutor pool(2);
    pool.shutdown(true);
    bool ran = false;
    try {
        pool.submit(item([&ran] { ran = true; }));
        ADD_FAILURE() << "ch09.submit: submit after shutdown must throw RuntimeError";
    } catch (const aio::RuntimeError& e) {
        EXPECT_STREQ(e.what(), "cannot schedule new futures after shutdown")
            << "ch09.submit: the message of concurrent.futures";
    }
    EXPECT_EQ(pool.thread_count(), 0u) << "ch09.submit: a refused item starts no thread";
    EXPECT_FALSE(ran) << "ch09.submit: a refused item never runs";
}

TEST(Pool, RunsEveryItemOnAWorkerThread) {
    std::atomic<int> ran{0};
    std::atomic<int> on_caller{0};
    std::thread::id caller = std::this_thread::get_id();
    {
        ThreadPoolExecutor pool(3);
        for (int i = 0; i < 50; ++i)
            pool.submit(item([&] {
                ++ran;
                if (std::this_thread::get_id() == caller) ++on_caller;
            }));
        pool.shutdown(true);
        EXPECT_EQ(ran.load(), 50) << "ch09.shutdown, ch09.worker: every submitted item runs once "
                                     "before shutdown(true) returns (it joins the workers)";
    }
    EXPECT_EQ(on_caller.load(), 0)
        << "ch09.worker: items run on the pool's threads, never the caller's";
}

TEST(Pool, MakesThreadsOnDemandAndRunsAtMostMaxWorkersAtOnce) {
    ThreadPoolExecutor pool(3);
    Gate gate;
    PeakCounter running;
    std::atomic<int> done{0};
    for (int i = 0; i < 7; ++i)
        pool.submit(item([&] {
            running.enter();
            std::this_thread::sleep_for(2ms);
            gate.wait();
            running.leave();
            ++done;
        }));
    EXPECT_EQ(pool.thread_count(), 3u)
        << "ch09.submit, ch09.worker: 7 items, 3 workers at most: 3 threads";
    std::this_thread::sleep_for(50ms);
    gate.open();
    pool.shutdown(true);
    EXPECT_EQ(done.load(), 7) << "ch09.worker: the queued items run once the first ones finish";
    EXPECT_EQ(running.peak(), 3) << "ch09.worker: max_workers items run at once, never more";
}

TEST(Pool, ReusesAnIdleThreadInsteadOfMakingANewOne) {
    ThreadPoolExecutor pool(4);
    for (int i = 0; i < 5; ++i) {
        Gate finished;
        pool.submit(item([&] { finished.open(); }));
        ASSERT_TRUE(finished.wait()) << "ch09.worker: a submitted item never ran";
        std::this_thread::sleep_for(20ms); // the worker goes back to waiting
    }
    EXPECT_EQ(pool.thread_count(), 1u) << "ch09.submit/ch09.worker: one item at a time needs one "
                                          "thread: an idle worker takes the next";
}

TEST(Pool, AnItemSubmittedWhileTheOnlyWorkerIsBusyGetsAThreadOfItsOwn) {
    ThreadPoolExecutor pool(4);
    Gate first_started, release_first, second_ran;
    pool.submit(item([&] {
        first_started.open();
        release_first.wait();
    }));
    ASSERT_TRUE(first_started.wait()) << "ch09.worker: a submitted item never ran";
    pool.submit(item([&] { second_ran.open(); }));
    bool ran_meanwhile = second_ran.wait(2s);
    release_first.open();
    EXPECT_TRUE(ran_meanwhile)
        << "ch09.worker: a worker that took an item is no longer idle, so submit starts a "
           "thread for the next one; it waited behind the first item instead (a worker still "
           "counted idle while it runs?)";
}

TEST(Pool, OneWorkerRunsItemsInSubmissionOrder) {
    std::vector<int> order;
    std::mutex order_mutex;
    {
        ThreadPoolExecutor pool(1);
        for (int i = 0; i < 20; ++i)
            pool.submit(item([&, i] {
                std::lock_guard<std::mutex> lock(order_mutex);
                order.push_back(i);
            }));
    } // the destructor is shutdown(true)
    std::vector<int> expected(20);
    for (int i = 0; i < 20; ++i)
        expected[i] = i;
    EXPECT_EQ(order, expected) << "ch09.worker: the queue is FIFO: the oldest item runs first";
}

TEST(Shutdown, WaitFalseReturnsAtOnceAndQueuedItemsStillFinish) {
    ThreadPoolExecutor pool(1);
    Gate gate;
    std::atomic<int> done{0};
    for (int i = 0; i < 4; ++i)
        pool.submit(item([&] {
            gate.wait();
            ++done;
        }));
    pool.shutdown(false);
    EXPECT_EQ(done.load(), 0) << "ch09.shutdown: wait=false must not wait for the running item";
    gate.open();
    pool.shutdown(true);
    EXPECT_EQ(done.load(), 4)
        << "ch09.shutdown, ch09.worker: a shut-down pool still runs what was queued (without "
           "cancel_futures)";
}

TEST(Shutdown, CancelFuturesDropsQueuedItemsAndCallsTheirCancel) {
    ThreadPoolExecutor pool(1);
    Gate gate;
    Gate started;
    std::atomic<int> ran{0};
    std::atomic<int> cancelled{0};
    pool.submit({[&] {
                     started.open();
                     gate.wait();
                     ++ran;
                 },
                 [&] { ++cancelled; }});
    ASSERT_TRUE(started.wait()) << "ch09.worker: the first item never started";
    std::atomic<int> saw_shutdown{0};
    for (int i = 0; i < 3; ++i)
        pool.submit({[&] { ++ran; },
                     [&] {
                         ++cancelled;
                         // A cancel may call back into the pool: shutdown() must not hold
                         // the pool's mutex (not recursive) while it calls cancel().
                         if (pool.is_shutdown()) ++saw_shutdown;
                     }});
    std::thread opener([&] {
        std::this_thread::sleep_for(50ms);
        gate.open();
    });
    pool.shutdown(true, true);
    opener.join();
    EXPECT_EQ(ran.load(), 1)
        << "ch09.shutdown: cancel_futures: the running item finishes, queued ones never run";
    EXPECT_EQ(cancelled.load(), 3) << "ch09.shutdown: each dropped item's cancel() is called once";
    EXPECT_EQ(saw_shutdown.load(), 3)
        << "ch09.shutdown: a dropped item's cancel() runs after the pool is marked shut down, "
           "outside its lock";
}
