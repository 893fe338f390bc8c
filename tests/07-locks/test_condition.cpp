// Condition: wait gives the lock up, notify wakes oldest first, the lock is
// retaken however the wait ends, and a spent notification is passed on.
#include <gtest/gtest.h>

#include <optional>

#include "locks_test_helpers.hpp"

using namespace looplab;
using aio::Condition;
using aio::Coro;

namespace {

// Takes the condition's lock, waits for a notify, logs, holds the lock 1 ms.
Coro<void> wait_for_notify(Condition& condition, Log& log, std::string name) {
    aio::Guard held = co_await condition.guard();
    co_await condition.wait();
    log.add(name + (condition.locked() ? " woke holding the lock" : " woke WITHOUT the lock"));
    co_await aio::sleep(1ms);
}

Coro<void> notify_under_lock(Condition& condition, std::size_t n) {
    aio::Guard held = co_await condition.guard();
    condition.notify(n);
}

} // namespace

TEST(Condition, NotifyNeedsTheLockAndWithoutWaitersDoesNothing) {
    Condition condition;
    try {
        condition.notify();
        ADD_FAILURE() << "ch07.condition_notify: notify() without the lock must throw";
    } catch (const aio::RuntimeError& error) {
        EXPECT_NE(std::string(error.what()).find("cannot notify on un-acquired lock"),
                  std::string::npos)
            << "ch07.condition_notify: asyncio's message, got: " << error.what();
    }
    EXPECT_THROW(condition.notify_all(), aio::RuntimeError)
        << "ch07.condition_notify: notify_all() needs the lock held too";
    VirtualLoop v;
    auto held = aio::create_task(v.loop, condition.acquire());
    v.settle(1ms);
    EXPECT_NO_THROW(condition.notify(3)) << "ch07.condition_notify: with the lock held and "
                                            "nobody waiting, notify does nothing";
    EXPECT_TRUE(condition.locked()) << "ch07.condition_notify: notify never releases the lock";
}

TEST(Condition, WaitWithoutTheLockIsARuntimeError) {
    Condition condition;
    VirtualLoop v;
    auto task = aio::create_task(v.loop, condition.wait());
    v.settle();
    EXPECT_EQ(outcome_of(task), "cannot wait on un-acquired lock; acquire() it first")
        << "ch07.condition_wait: wait() without the lock is a RuntimeError";
}

TEST(Condition, WaitGivesTheLockUpWhileItWaits) {
    Condition condition;
    Log log;
    VirtualLoop v;
    auto waiter = aio::create_task(v.loop, wait_for_notify(condition, log, "A"));
    v.settle(1ms);
    EXPECT_FALSE(condition.locked())
        << "ch07.condition_wait: a waiting task does not hold the lock";
    auto other = aio::create_task(v.loop, condition.acquire());
    v.settle(1ms);
    EXPECT_EQ(outcome_of(other), "ok")
        << "ch07.condition_wait: another task can take the lock while A waits for a notify";
    EXPECT_EQ(outcome_of(waiter), "pending") << "ch07.condition_wait: A waits until notified";
}

TEST(Condition, NotifyWakesWaitersOldestFirstEachRetakingTheLock) {
    Condition condition;
    Log log;
    VirtualLoop v;
    log.clock = &v;
    std::vector<aio::Task<void>> waiters;
    for (std::string name : {"A", "B", "C"})
        waiters.push_back(aio::create_task(v.loop, wait_for_notify(condition, log, name)));
    v.settle(10ms);
    auto two = aio::create_task(v.loop, notify_under_lock(condition, 2));
    v.settle(10ms);
    EXPECT_EQ(joined(log.lines), "A woke holding the lock @10, B woke holding the lock @11")
        << "ch07.condition_retake: notify(2) wakes the two oldest; each retakes the lock in turn";
    EXPECT_EQ(outcome_of(waiters[2]), "pending") << "ch07.condition_retake: C was not notified";
    auto all = aio::create_task(v.loop, notify_under_lock(condition, 100));
    v.settle();
    EXPECT_EQ(outcome_of(waiters[2]), "ok") << "ch07.condition_retake: notify_all wakes the rest";
    EXPECT_FALSE(condition.locked()) << "ch07.condition_retake: every guard released in the end";
}

TEST(Condition, WaitRetakesTheLockWhenCancelled) {
    Condition condition;
    bool held_when_cancelled = false;
    VirtualLoop v;
    auto waiter = [&]() -> Coro<void> {
        aio::Guard held = co_await condition.guard();
        try {
            co_await condition.wait();
        } catch (const aio::CancelledError&) {
            held_when_cancelled = condition.locked();
            throw;
        }
    };
    auto holder = [&]() -> Coro<void> {
        co_await aio::sleep(1ms);
        aio::Guard held = co_await condition.guard();
        co_await aio::sleep(10ms); // the waiter is cancelled meanwhile: it must wait for us
    };
    auto w = aio::create_task(v.loop, waiter());
    auto h = aio::create_task(v.loop, holder());
    v.settle(5ms);
    w.cancel();
    v.settle(2ms);
    EXPECT_EQ(outcome_of(w), "pending")
        << "ch07.condition_retake: a cancelled wait still waits to retake the lock another holds";
    v.settle();
    EXPECT_EQ(outcome_of(w), "cancelled")
        << "ch07.condition_retake: then the cancellation comes out";
    EXPECT_TRUE(held_when_cancelled)
        << "ch07.condition_retake: the CancelledError arrives with the lock held again";
    EXPECT_FALSE(condition.locked()) << "ch07.condition_retake: the waiter's guard released it";
}

TEST(Condition, ACancelDuringTheRetakeIsKeptAndTheLockStillRetaken) {
    Condition condition;
    bool held_when_cancelled = false;
    long cancelled_at = -1;
    VirtualLoop v;
    auto waiter = [&]() -> Coro<void> {
        aio::Guard held = co_await condition.guard();
        try {
            co_await condition.wait();
        } catch (const aio::CancelledError&) {
            held_when_cancelled = condition.locked();
            cancelled_at = v.ms();
            throw;
        }
    };
    auto notifier = [&]() -> Coro<void> {
        co_await aio::sleep(1ms);
        aio::Guard held = co_await condition.guard();
        condition.notify();
        co_await aio::sleep(10ms); // the waiter retakes after us; it is cancelled meanwhile
    };
    auto w = aio::create_task(v.loop, waiter());
    auto n = aio::create_task(v.loop, notifier());
    v.settle(5ms);
    w.cancel();
    v.settle();
    EXPECT_EQ(outcome_of(w), "cancelled") << "ch07.condition_retake: the cancellation comes out";
    EXPECT_TRUE(held_when_cancelled)
        << "ch07.condition_retake: a cancel while retaking the lock retries until it has it";
    EXPECT_EQ(cancelled_at, 11)
        << "ch07.condition_retake: the cancel (at 5 ms) leaves wait() only once the lock is "
           "retaken, when the notifier released it at 11 ms";
    EXPECT_FALSE(condition.locked()) << "ch07.lock_cancel: the lock ends free";
}

// asyncio gh-90155's sibling for Condition: A is notified and cancelled
// before it runs; the notification must reach B, or B waits forever.
TEST(Condition, AWokenThenCancelledWaiterPassesTheNotificationOn) {
    Condition condition;
    Log log;
    VirtualLoop v;
    std::vector<aio::Task<void>> waiters;
    for (std::string name : {"A", "B"})
        waiters.push_back(aio::create_task(v.loop, wait_for_notify(condition, log, name)));
    v.settle(1ms);
    auto notify_then_cancel = [&]() -> Coro<void> {
        aio::Guard held = co_await condition.guard();
        condition.notify(1); // wakes A...
        waiters[0].cancel(); // ...which is cancelled before it runs
    };
    auto n = aio::create_task(v.loop, notify_then_cancel());
    v.settle();
    EXPECT_EQ(outcome_of(waiters[0]), "cancelled") << "ch07.condition_retake: A ends cancelled";
    EXPECT_EQ(joined(log.lines), "B woke holding the lock")
        << "ch07.condition_retake: A's notification passes on to B";
    EXPECT_FALSE(condition.locked()) << "ch07.condition_retake: the lock ends free";
}

TEST(Condition, WaitForLoopsUntilThePredicateHolds) {
    Condition condition;
    int items = 0;
    int checks = 0;
    VirtualLoop v;
    auto consumer = [&]() -> Coro<void> {
        aio::Guard held = co_await condition.guard();
        auto three = [&] { return ++checks, items >= 3; };
        co_await condition.wait_for(three);
        EXPECT_TRUE(condition.locked()) << "wait_for returns with the lock held";
    };
    auto producer = [&]() -> Coro<void> {
        for (int i = 0; i < 3; ++i) {
            co_await aio::sleep(1ms);
            aio::Guard held = co_await condition.guard();
            ++items;
            condition.notify_all();
        }
    };
    auto c = aio::create_task(v.loop, consumer());
    auto p = aio::create_task(v.loop, producer());
    v.settle();
    EXPECT_EQ(outcome_of(c), "ok") << "ch07.condition_retake: wait_for returns once it holds";
    EXPECT_EQ(checks, 4)
        << "ch07.condition_wait_for: the predicate is checked at entry and after each notify";
}

// notify(n) counts only pending waiters: W1, cancelled in the notifier's own
// step, is still queued (its task has not run yet), and must not use up the
// notify(1) meant for W2. W1's leaving then passes one more on, to W3.
TEST(Condition, NotifySkipsAWaiterCancelledButStillQueued) {
    Condition condition;
    Log log;
    VirtualLoop v;
    std::optional<aio::Task<void>> w1;
    auto notifier = [&]() -> Coro<void> {
        co_await aio::sleep(5ms);
        aio::Guard held = co_await condition.guard();
        w1->cancel();
        condition.notify(1);
    };
    w1 = aio::create_task(v.loop, wait_for_notify(condition, log, "W1"));
    auto w2 = aio::create_task(v.loop, wait_for_notify(condition, log, "W2"));
    auto w3 = aio::create_task(v.loop, wait_for_notify(condition, log, "W3"));
    auto n = aio::create_task(v.loop, notifier());
    v.settle();
    EXPECT_EQ(outcome_of(*w1), "cancelled") << "ch07.condition_wait: W1 was cancelled";
    EXPECT_EQ(outcome_of(w2), "ok")
        << "ch07.condition_notify: notify(1) skips W1 (cancelled, still queued) and wakes W2";
    EXPECT_EQ(outcome_of(w3), "ok")
        << "ch07.condition_notify: W1's leaving with an error notifies one more, W3 (if notify(1) "
           "was spent on W1, W1's pass-on woke W2 and W3 still waits)";
}

TEST(Condition, SharesALockGivenToIt) {
    aio::Lock lock;
    Condition condition(&lock);
    VirtualLoop v;
    auto task = aio::create_task(v.loop, lock.acquire());
    v.settle(1ms);
    EXPECT_TRUE(condition.locked()) << "a Condition built on a Lock reads that lock's state";
    condition.release();
    EXPECT_FALSE(lock.locked()) << "ch07.lock_release: releasing the condition releases the lock";
}
