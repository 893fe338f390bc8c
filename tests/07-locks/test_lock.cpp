// Lock: FIFO hand-off, no queue jumping, cancelled waiters, the Guard.
#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>

#include "locks_test_helpers.hpp"

using namespace looplab;
using aio::Coro;
using aio::Lock;

namespace {

// Takes the lock, logs, holds it `hold`, releases it (through a Guard).
Coro<void> hold_lock(Lock& lock, Log& log, std::string name, aio::Duration hold) {
    aio::Guard held = co_await lock.guard();
    log.add(name + " got it");
    co_await aio::sleep(hold);
}

// The same with acquire() and release() called by hand, no Guard.
Coro<void> hold_lock_by_hand(Lock& lock, Log& log, std::string name, aio::Duration hold) {
    co_await lock.acquire();
    log.add(name + " got it");
    co_await aio::sleep(hold);
    lock.release();
}

} // namespace

TEST(Lock, AFreeLockIsTakenAtOnceAndASecondAcquireWaits) {
    Lock lock; // before the loop: frames still waiting at the end point into it
    Log log;
    VirtualLoop v;
    log.clock = &v;
    auto first = [&]() -> Coro<void> {
        co_await lock.acquire();
        log.add("A got it");
    };
    auto second = [&]() -> Coro<void> {
        co_await lock.acquire();
        log.add("B got it");
    };
    auto a = aio::create_task(v.loop, first());
    auto b = aio::create_task(v.loop, second());
    v.settle();
    EXPECT_TRUE(lock.locked()) << "ch07.lock_acquire: a lock taken and not released stays locked";
    EXPECT_EQ(outcome_of(a), "ok") << "ch07.lock_acquire: acquiring a free lock must not wait";
    EXPECT_EQ(outcome_of(b), "pending")
        << "ch07.lock_acquire: a second acquire must wait while the lock is held";
    EXPECT_EQ(joined(log.lines), "A got it @0")
        << "ch07.lock_acquire: only the first acquire gets the lock, at once";
}

TEST(Lock, ReleasingAnUnlockedLockIsARuntimeError) {
    Lock lock;
    try {
        lock.release();
        ADD_FAILURE() << "ch07.lock_release: release() of an unlocked lock must throw";
    } catch (const aio::RuntimeError& error) {
        EXPECT_STREQ(error.what(), "Lock is not acquired.")
            << "ch07.lock_release: asyncio's message for releasing an unlocked lock";
    }
    EXPECT_FALSE(lock.locked()) << "ch07.lock_release: a refused release changes nothing";
}

TEST(Lock, HandsOffToWaitersInFifoOrder) {
    Lock lock; // before the loop: frames still waiting at the end point into it
    Log log;
    VirtualLoop v;
    log.clock = &v;
    std::vector<aio::Task<void>> tasks;
    for (std::string name : {"A", "B", "C", "D"})
        tasks.push_back(aio::create_task(v.loop, hold_lock_by_hand(lock, log, name, 10ms)));
    v.settle();
    EXPECT_EQ(joined(log.lines), "A got it @0, B got it @10, C got it @20, D got it @30")
        << "ch07.lock_wake: each release hands the lock to the oldest waiter, at once";
    EXPECT_FALSE(lock.locked()) << "ch07.lock_release: the last release leaves the lock free";
}

TEST(Lock, NobodyJumpsTheQueueWhileAWokenWaiterHasNotRunYet) {
    Lock lock; // before the loop: frames still waiting at the end point into it
    Log log;
    VirtualLoop v;
    log.clock = &v;
    bool locked_after_release = true;
    auto greedy = [&]() -> Coro<void> {
        co_await lock.acquire();
        log.add("A got it");
        co_await aio::sleep(5ms);
        lock.release(); // B is woken, but has not run yet...
        locked_after_release = lock.locked();
        co_await lock.acquire(); // ...so this must queue behind B
        log.add("A got it again");
        lock.release();
    };
    auto a = aio::create_task(v.loop, greedy());
    auto b = aio::create_task(v.loop, hold_lock(lock, log, "B", 10ms));
    v.settle();
    EXPECT_FALSE(locked_after_release)
        << "ch07.lock_release: right after release() the lock reads unlocked, even with a "
           "woken waiter (asyncio: the waiter takes it when it runs)";
    EXPECT_EQ(joined(log.lines), "A got it @0, B got it @5, A got it again @15")
        << "ch07.lock_acquire: a free lock with a woken waiter queued is not free for a "
           "newcomer: the fast path needs no live waiter";
    EXPECT_EQ(outcome_of(a), "ok") << "ch07.lock_acquire: A gets the lock back after B";
}

TEST(Lock, AWaiterCancelledWhileWaitingLeavesTheQueue) {
    Lock lock; // before the loop: frames still waiting at the end point into it
    Log log;
    VirtualLoop v;
    log.clock = &v;
    auto a = aio::create_task(v.loop, hold_lock(lock, log, "A", 10ms));
    auto b = aio::create_task(v.loop, hold_lock(lock, log, "B", 10ms));
    auto c = aio::create_task(v.loop, hold_lock(lock, log, "C", 10ms));
    v.settle(5ms);
    b.cancel();
    v.settle();
    EXPECT_EQ(outcome_of(b), "cancelled")
        << "ch07.lock_cancel: the cancelled waiter ends cancelled";
    EXPECT_EQ(joined(log.lines), "A got it @0, C got it @10")
        << "ch07.lock_cancel: the lock skips a waiter cancelled while it waited; and "
           "ch07.lock_guard: B's cancelled guard() releases nothing (C must not get in at 5)";
    EXPECT_FALSE(lock.locked()) << "ch07.lock_cancel: a cancelled waiter never holds the lock";
}

// asyncio bpo-27585: B is woken (its future done) and cancelled before it
// runs. B must not take the lock, and must not keep C waiting forever.
TEST(Lock, AWokenThenCancelledWaiterPassesTheLockOn) {
    Lock lock; // before the loop: frames still waiting at the end point into it
    Log log;
    VirtualLoop v;
    log.clock = &v;
    std::optional<aio::Task<void>> b;
    auto releaser = [&]() -> Coro<void> {
        co_await lock.acquire();
        log.add("A got it");
        co_await aio::sleep(10ms);
        lock.release(); // wakes B...
        b->cancel();    // ...and B is cancelled before it runs
    };
    auto a = aio::create_task(v.loop, releaser());
    b = aio::create_task(v.loop, hold_lock(lock, log, "B", 10ms));
    auto c = aio::create_task(v.loop, hold_lock(lock, log, "C", 10ms));
    v.settle();
    EXPECT_EQ(outcome_of(*b), "cancelled")
        << "ch07.lock_cancel: a waiter cancelled after its wake-up still ends cancelled";
    EXPECT_EQ(joined(log.lines), "A got it @0, C got it @10")
        << "ch07.lock_cancel: the woken-then-cancelled waiter passes the wake-up to the next";
    EXPECT_FALSE(lock.locked()) << "ch07.lock_cancel: the lock ends free, not stuck locked";
}

// release() wakes the head only, and only if it is pending. B, the head, is
// cancelled in the releaser's own step (its future done, B still queued):
// release() must neither set it again nor look past it, since B's leaving
// wakes the next one. Then X, cancelled behind a woken head B, leaves while
// the lock is free: waking past B would let C in beside B.
TEST(Lock, ADoneHeadIsNeitherWokenAgainNorSkipped) {
    Lock lock; // before the loop: frames still waiting at the end point into it
    Log log;
    VirtualLoop v;
    log.clock = &v;
    std::optional<aio::Task<void>> b, x;
    std::string release_error;
    auto releaser = [&](bool cancel_head) -> Coro<void> {
        co_await lock.acquire();
        co_await aio::sleep(10ms);
        (cancel_head ? *b : *x).cancel();
        try {
            lock.release();
        } catch (const std::exception& error) {
            release_error = error.what();
        }
    };
    auto a = aio::create_task(v.loop, releaser(true));
    b = aio::create_task(v.loop, hold_lock(lock, log, "B", 10ms));
    auto c = aio::create_task(v.loop, hold_lock(lock, log, "C", 10ms));
    v.settle();
    EXPECT_EQ(release_error, "")
        << "ch07.lock_wake: a head that is done (cancelled, not yet gone) is not woken again";
    EXPECT_EQ(joined(log.lines), "C got it @10")
        << "ch07.lock_wake: C gets the lock once, through B's leaving";

    log.lines.clear();
    auto a2 = aio::create_task(v.loop, releaser(false));
    b = aio::create_task(v.loop, hold_lock(lock, log, "B", 10ms));
    x = aio::create_task(v.loop, hold_lock(lock, log, "X", 10ms));
    auto c2 = aio::create_task(v.loop, hold_lock(lock, log, "C", 10ms));
    v.settle();
    EXPECT_EQ(outcome_of(*x), "cancelled") << "ch07.lock_cancel: X was cancelled while waiting";
    EXPECT_EQ(joined(log.lines), "B got it @1010, C got it @1020")
        << "ch07.lock_wake: X leaving a free lock behind a woken head B must not wake C too; "
           "B and C hold the lock one after the other";
}

TEST(Lock, TheGuardReleasesWhenTheBlockThrowsOrIsCancelled) {
    Lock lock;
    VirtualLoop v;
    auto failing = [&]() -> Coro<void> {
        aio::Guard held = co_await lock.guard();
        co_await aio::sleep(1ms);
        throw std::runtime_error("the block failed");
    };
    auto task = aio::create_task(v.loop, failing());
    v.settle();
    EXPECT_EQ(outcome_of(task), "the block failed") << "the block's own error comes out";
    EXPECT_FALSE(lock.locked()) << "ch07.lock_release: a block that throws still releases";

    auto sleeping = [&]() -> Coro<void> {
        aio::Guard held = co_await lock.guard();
        co_await aio::sleep(10s);
    };
    auto cancelled = aio::create_task(v.loop, sleeping());
    v.settle(1ms);
    EXPECT_TRUE(lock.locked()) << "ch07.lock_acquire: the guard holds the lock inside the block";
    cancelled.cancel();
    v.settle(1ms);
    EXPECT_EQ(outcome_of(cancelled), "cancelled") << "the cancelled block ends cancelled";
    EXPECT_FALSE(lock.locked()) << "ch07.lock_release: a cancelled block still releases";
}

TEST(Guard, EarlyReleaseAndMovesTransferTheOneRelease) {
    Lock lock;
    VirtualLoop v;
    bool checked = false;
    auto body = [&]() -> Coro<void> {
        aio::Guard first = co_await lock.guard();
        aio::Guard second = std::move(first);
        EXPECT_FALSE(first.owns()) << "a moved-from guard owns nothing";
        EXPECT_TRUE(second.owns()) << "the moved-to guard owns the release";
        second.release();
        EXPECT_FALSE(lock.locked()) << "ch07.lock_release: an early release unlocks at once";
        aio::Guard assigned;
        assigned = co_await lock.guard();
        EXPECT_TRUE(assigned.owns()) << "a guard assigned from guard() owns the release";
        assigned = aio::Guard();
        EXPECT_FALSE(lock.locked()) << "ch07.guard: assigning over a guard releases what it owned";
        EXPECT_THROW(second.release(), aio::RuntimeError) << "a guard releases only once";
        checked = true;
    };
    auto task = aio::create_task(v.loop, body());
    v.settle();
    EXPECT_TRUE(checked) << "ch07.lock_acquire: the body ran to its end";
    EXPECT_FALSE(lock.locked())
        << "ch07.lock_release: the guard's destructor does not release twice";
}

TEST(Guard, ReleasesOnceWhenDestroyedAndReportsAFailingRelease) {
    VirtualLoop v;
    std::vector<std::string> reports;
    v.loop.set_exception_handler([&](aio::EventLoop&, const aio::ExceptionContext& context) {
        reports.push_back(context.message);
    });
    int releases = 0;
    {
        aio::Guard outer([&releases] { ++releases; }, v.loop);
        aio::Guard inner = std::move(outer);
    }
    EXPECT_EQ(releases, 1) << "ch07.guard: the owning guard releases once when it goes; the "
                              "moved-from one does nothing";
    {
        aio::Guard early([&releases] { ++releases; }, v.loop);
        early.release();
    }
    EXPECT_EQ(releases, 2) << "ch07.guard: after release() the destructor does nothing";
    {
        aio::Guard failing([] { throw aio::ValueError("released too many times"); }, v.loop);
    }
    ASSERT_EQ(reports.size(), 1u)
        << "ch07.guard: a release that throws in the destructor is reported once, not lost";
    EXPECT_NE(reports[0].find("release"), std::string::npos)
        << "ch07.guard: the report says the release failed, got: " << reports[0];
}

TEST(Lock, BindsToTheLoopOfItsFirstWait) {
    Lock lock;
    Log log;
    VirtualLoop one, two;
    auto a = aio::create_task(one.loop, lock.acquire()); // and never released
    auto b = aio::create_task(one.loop, lock.acquire());
    one.settle(1ms); // B waits on loop one: the lock is bound to it
    auto other = aio::create_task(two.loop, lock.acquire());
    two.settle(1ms);
    EXPECT_NE(outcome_of(other).find("different event loop"), std::string::npos)
        << "ch07.lock_acquire: waiting on a lock bound to another loop is a RuntimeError, got "
        << outcome_of(other);
}

TEST(LoopBinding, BindsToTheFirstRunningLoopAndRefusesAnother) {
    aio::detail::LoopBinding binding("Lock");
    VirtualLoop one, two;
    aio::EventLoop* first = nullptr;
    aio::EventLoop* again = nullptr;
    std::string refusal;
    one.loop.call_soon([&] { first = &binding.get(); });
    one.loop.call_soon([&] { again = &binding.get(); });
    two.loop.call_soon([&] {
        try {
            binding.get();
        } catch (const aio::RuntimeError& error) {
            refusal = error.what();
        }
    });
    one.loop.run_once();
    two.loop.run_once();
    EXPECT_EQ(first, &one.loop) << "ch07.bind_loop: the first call binds to the running loop";
    EXPECT_EQ(again, &one.loop) << "ch07.bind_loop: later calls on that loop return it";
    EXPECT_NE(refusal.find("is bound to a different event loop"), std::string::npos)
        << "ch07.bind_loop: another loop is refused with a RuntimeError, got: " << refusal;
}
