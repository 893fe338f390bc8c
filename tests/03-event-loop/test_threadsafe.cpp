// Graded tests: call_soon_threadsafe from other threads, and the wake-up that
// must never be lost (run these under -fsanitize=thread as well).
#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "event_loop.hpp"
#include "loop_test_access.hpp"
#include "loop_test_helpers.hpp"

using namespace std::chrono_literals;
using aio::EventLoop;
using Access = aio::detail::LoopTestAccess;

// The loop blocks in select() with no timer and nothing ready; only a post can
// wake it. Each round, another thread posts three callbacks at random moments
// (before, during and after the loop blocks, and while it takes an earlier
// batch); the last one stops the loop. A lost wake-up would hang: the watchdog
// rescues the loop after 5 s and the test fails instead.
TEST(CallSoonThreadsafe, APostWakesALoopBlockedWithNoTimersEveryTime) {
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s);
    std::atomic<int> post_errors{0};
    int ran = 0;
    std::mt19937 random(3);
    for (int round = 0; round < 1000; ++round) {
        int pause_us[3];
        for (int& pause : pause_us)
            pause = static_cast<int>(random() % 100);
        std::thread poster([&] {
            try {
                for (int i = 0; i < 3; ++i) {
                    std::this_thread::sleep_for(std::chrono::microseconds(pause_us[i]));
                    loop.call_soon_threadsafe([&, i] {
                        ++ran;
                        if (i == 2) loop.stop();
                    });
                }
            } catch (...) {
                ++post_errors;
            }
        });
        try {
            loop.run_forever();
        } catch (...) {
            poster.join();
            throw;
        }
        poster.join();
        watchdog.feed();
        ASSERT_EQ(post_errors.load(), 0) << "call_soon_threadsafe threw";
        ASSERT_EQ(watchdog.rescues(), 0)
            << "round " << round << ": a post did not wake the blocked loop (a lost wake-up). "
            << "Drain the wake-up fd BEFORE you take the queue and clear the pending flag.";
    }
    EXPECT_EQ(ran, 3000) << "every posted callback runs exactly once";
}

// The same race made deterministic: a post lands exactly while the loop
// consumes the wake-up (the test's hook runs as Wakeup::drain() begins), as a
// post from another thread may. After that pass, the next post must still make
// the wake-up fd readable, or a loop blocked in select() would never see it.
TEST(CallSoonThreadsafe, APostLandingWhileTheLoopDrainsIsNotLost) {
    EventLoop loop;
    std::vector<std::string> ran;
    bool landed = false;
    aio::detail::WakeupTestAccess::before_drain(Access::wakeup(loop), [&] {
        if (landed) return;
        landed = true;
        loop.call_soon_threadsafe([&] { ran.push_back("landed while draining"); });
    });
    std::thread poster([&] { loop.call_soon_threadsafe([&] { ran.push_back("first"); }); });
    poster.join();
    loop.run_once(); // the wake-up fd is readable: this pass does not block
    ASSERT_TRUE(landed)
        << "ch03.answer_wakeup: the pass whose select saw the wake-up fd must drain it";
    EXPECT_EQ(ran, (std::vector<std::string>{"first", "landed while draining"}))
        << "ch03.answer_wakeup: a post that lands while the loop drains the wake-up is taken "
           "in the same pass, after the one that woke it";
    std::thread next([&] { loop.call_soon_threadsafe([&] { ran.push_back("next"); }); });
    next.join();
    ASSERT_TRUE(looplab::readable_now(Access::wakeup_fd(loop)))
        << "ch03.answer_wakeup: a lost wake-up: after a post landed while the loop drained, "
           "the next post did not make the wake-up fd readable (the pending flag claims a "
           "wake-up that the fd no longer holds)";
    loop.run_once();
    EXPECT_EQ(ran.back(), "next") << "ch03.answer_wakeup: the next post runs in the next pass";
}

TEST(CallSoonThreadsafe, FourThreadsPostingTenThousandEachRunEveryCallbackOnce) {
    constexpr int threads = 4, per_thread = 10'000, total = threads * per_thread;
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 10s);
    std::vector<int> runs(total, 0); // touched by the loop's thread only
    int ran = 0;
    std::atomic<int> post_errors{0};
    std::vector<std::thread> posters;
    for (int t = 0; t < threads; ++t) {
        posters.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                int id = t * per_thread + i;
                try {
                    loop.call_soon_threadsafe([&, id] {
                        ++runs[id];
                        if (++ran == total) loop.stop();
                    });
                } catch (...) {
                    ++post_errors;
                    return;
                }
            }
        });
    }
    std::exception_ptr failure;
    try {
        if (post_errors.load() == 0) loop.run_forever();
    } catch (...) {
        failure = std::current_exception();
    }
    for (auto& poster : posters)
        poster.join();
    if (failure) std::rethrow_exception(failure);
    ASSERT_EQ(post_errors.load(), 0) << "call_soon_threadsafe threw";
    EXPECT_EQ(watchdog.rescues(), 0) << "the loop stalled: posts were lost or never woke it";
    EXPECT_EQ(ran, total) << "every posted callback ran";
    int wrong = 0;
    for (int count : runs)
        wrong += count != 1;
    EXPECT_EQ(wrong, 0) << "every posted callback must run exactly once";
}

TEST(CallSoonThreadsafe, ManyPostsBetweenTwoPassesRunInOnePassInOrder) {
    EventLoop loop;
    std::vector<int> order;
    bool post_failed = false;
    std::thread poster([&] {
        try {
            for (int i = 0; i < 100; ++i)
                loop.call_soon_threadsafe([&order, i] { order.push_back(i); });
        } catch (...) {
            post_failed = true;
        }
    });
    poster.join();
    ASSERT_FALSE(post_failed) << "call_soon_threadsafe threw";
    int passes = 0;
    aio::IterationTrace last;
    loop.set_tracer([&](const aio::IterationTrace& trace) {
        ++passes;
        last = trace;
    });
    loop.run_once();
    EXPECT_EQ(passes, 1) << "ch03.answer_wakeup: one pass took the whole batch";
    EXPECT_EQ(last.posted, 100u) << "the pass that sees the wake-up takes the whole batch";
    ASSERT_EQ(order.size(), 100u)
        << "posted callbacks run in the pass whose select saw the wake-up";
    for (int i = 0; i < 100; ++i)
        EXPECT_EQ(order[i], i) << "posts from one thread stay FIFO";
    EXPECT_TRUE(last.events.empty())
        << "ch03.run_iteration: the trace's events are the program's fds only; the wake-up fd "
           "(null data) is left out";
    EXPECT_FALSE(looplab::readable_now(Access::wakeup_fd(loop)))
        << "ch03.answer_wakeup: the pass that took the batch drained the wake-up fd";
    std::thread second([&] {
        for (int i = 100; i < 105; ++i)
            loop.call_soon_threadsafe([&order, i] { order.push_back(i); });
    });
    second.join();
    loop.run_once();
    EXPECT_EQ(last.posted, 5u)
        << "ch03.take_posted: the second batch is taken alone: nothing of the first is left "
           "in posted_ or taking_";
    EXPECT_EQ(order.size(), 105u) << "ch03.take_posted: each posted callback runs once";
    std::thread third([&] { loop.call_soon_threadsafe([&order] { order.push_back(105); }); });
    third.join();
    loop.run_once();
    EXPECT_EQ(last.posted, 1u)
        << "ch03.take_posted: the third batch is taken alone too: what an earlier take moved "
           "out must not come back through posted_ (clear taking_ once it is pushed)";
    EXPECT_EQ(order.size(), 106u) << "ch03.take_posted: each posted callback runs once";
}

// asyncio has one ready queue, so a post that happens before a call_soon runs
// before it. Case 1: the post comes from another thread, joined before the
// call_soon (the join orders them), while the loop runs.
TEST(CallSoonThreadsafe, APostFromAJoinedThreadRunsBeforeALaterCallSoon) {
    EventLoop loop;
    std::vector<std::string> ran;
    loop.call_soon([&] {
        std::thread poster([&] { loop.call_soon_threadsafe([&] { ran.push_back("A posted"); }); });
        poster.join();
        loop.call_soon([&] { ran.push_back("B call_soon"); });
    });
    for (int pass = 0; pass < 3 && ran.size() < 2; ++pass)
        loop.run_once();
    EXPECT_EQ(ran, (std::vector<std::string>{"A posted", "B call_soon"}))
        << "ch03.call_soon / ch03.take_posted: a post that happened before a call_soon runs "
           "first: call_soon moves the pending posts into the ready queue before its own entry";
}

// Case 2 (CPython: test_call_soon_threadsafe_same_thread): both from the loop's
// thread, before the loop runs.
TEST(CallSoonThreadsafe, APostFromTheLoopsThreadRunsBeforeALaterCallSoon) {
    EventLoop loop;
    std::vector<std::string> ran;
    auto record = [&](const char* name) {
        return [&ran, &loop, name] {
            ran.push_back(name);
            if (ran.size() >= 2) loop.stop();
        };
    };
    loop.call_soon_threadsafe(record("hello"));
    loop.call_soon(record("world"));
    looplab::Watchdog watchdog(loop, 5s);
    loop.run_forever();
    EXPECT_EQ(ran, (std::vector<std::string>{"hello", "world"}))
        << "ch03.take_posted: call_soon_threadsafe(A) then call_soon(B) run A then B";
    EXPECT_EQ(watchdog.rescues(), 0) << "ch03.answer_wakeup: the loop never needed rescuing";
}

// The same order, one phase at a time: call_soon takes the pending posts first.
TEST(CallSoonThreadsafe, CallSoonTakesThePendingPostsFirst) {
    EventLoop loop;
    std::vector<int> ran;
    std::thread poster([&] {
        for (int i = 0; i < 3; ++i)
            loop.call_soon_threadsafe([&ran, i] { ran.push_back(i); });
    });
    poster.join();
    loop.call_soon([&] { ran.push_back(3); });
    EXPECT_EQ(aio::detail::LoopTestAccess::ready_size(loop), 4u)
        << "ch03.take_posted: call_soon moved the 3 posts into the ready queue, then its own";
    aio::detail::LoopTestAccess::run_ready(loop, 4);
    EXPECT_EQ(ran, (std::vector<int>{0, 1, 2, 3}))
        << "ch03.take_posted / ch03.call_soon_threadsafe: posts keep their order and go before "
           "the later call_soon (a post sets has_posts_, and call_soon takes the posts first)";
}

TEST(CallSoonThreadsafe, AHandleCancelledBeforeThePassStopsItsCallback) {
    EventLoop loop;
    bool ran = false;
    aio::Handle posted;
    std::thread poster([&] { posted = loop.call_soon_threadsafe([&] { ran = true; }); });
    poster.join();
    posted.cancel();
    loop.run_once(); // the wake-up fd is readable: this pass does not block
    EXPECT_FALSE(ran)
        << "ch03.call_soon_threadsafe: the posted callback checks its flag as it runs";
    EXPECT_TRUE(posted.cancelled()) << "ch03.handle_cancel: the posted handle reads as cancelled";
}
