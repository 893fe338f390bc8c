// Semaphore and BoundedSemaphore: permits, FIFO, a peak counter, cancelled
// waiters passing their permit on, over-release.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "locks_test_helpers.hpp"

using namespace looplab;
using aio::Coro;
using aio::Semaphore;

namespace {

// How many tasks are inside the semaphore now, and the most ever at once.
struct Occupancy {
    int now = 0;
    int peak = 0;
};

Coro<void> hold_permit(Semaphore& semaphore, Log& log, std::string name, aio::Duration hold,
                       Occupancy* occupancy = nullptr) {
    aio::Guard held = co_await semaphore.guard();
    log.add(name);
    if (occupancy != nullptr) occupancy->peak = std::max(occupancy->peak, ++occupancy->now);
    co_await aio::sleep(hold);
    if (occupancy != nullptr) --occupancy->now;
}

} // namespace

TEST(Semaphore, ANegativeValueIsAValueError) {
    EXPECT_THROW(Semaphore(-1), aio::ValueError) << "a negative initial value is refused";
    EXPECT_THROW(aio::BoundedSemaphore(-1), aio::ValueError) << "for a bounded one too";
}

TEST(Semaphore, IsLockedAtZeroAndFreeAboveWithNobodyQueued) {
    EXPECT_TRUE(Semaphore(0).locked()) << "ch07.semaphore_locked: no permit left: locked()";
    EXPECT_FALSE(Semaphore(2).locked())
        << "ch07.semaphore_locked: permits left and nobody queued: not locked";
}

TEST(Semaphore, GrantsUpToItsValueAtOnceThenWaits) {
    Semaphore semaphore(2);
    Log log;
    VirtualLoop v;
    log.clock = &v;
    auto enter = [&](std::string name) -> Coro<void> { // and never release
        co_await semaphore.acquire();
        log.add(name);
    };
    std::vector<aio::Task<void>> tasks;
    for (std::string name : {"A", "B", "C"})
        tasks.push_back(aio::create_task(v.loop, enter(name)));
    v.settle(1ms);
    EXPECT_EQ(joined(log.lines), "A @0, B @0")
        << "ch07.semaphore_acquire: Semaphore(2) lets two in at once and makes the third wait";
    EXPECT_TRUE(semaphore.locked()) << "ch07.semaphore_acquire: no permit left: locked()";
    EXPECT_EQ(outcome_of(tasks[2]), "pending") << "ch07.semaphore_acquire: C waits for a permit";
}

TEST(Semaphore, ReleaseWakesWaitersInFifoOrder) {
    Semaphore semaphore(2);
    Log log;
    VirtualLoop v;
    log.clock = &v;
    std::vector<aio::Task<void>> tasks;
    int hold = 10;
    for (std::string name : {"A", "B", "C", "D", "E"}) {
        tasks.push_back(aio::create_task(
            v.loop, hold_permit(semaphore, log, name, std::chrono::milliseconds(hold))));
        hold += 5; // A leaves at 10, B at 15, C at 10 + 20 = 30, D at 15 + 25 = 40
    }
    v.settle();
    EXPECT_EQ(joined(log.lines), "A @0, B @0, C @10, D @15, E @30")
        << "ch07.semaphore_wake: each release hands its permit to the oldest waiter";
    EXPECT_FALSE(semaphore.locked()) << "ch07.semaphore_release: every permit is back";
}

TEST(Semaphore, NobodyJumpsTheQueueWhileAWokenWaiterHasNotRunYet) {
    Semaphore semaphore(1);
    Log log;
    VirtualLoop v;
    log.clock = &v;
    bool locked_after_release = false;
    auto greedy = [&]() -> Coro<void> {
        co_await semaphore.acquire();
        log.add("A");
        co_await aio::sleep(5ms);
        semaphore.release(); // B's permit is taken for it...
        locked_after_release = semaphore.locked();
        co_await semaphore.acquire(); // ...so A queues behind B
        log.add("A again");
        semaphore.release();
    };
    auto a = aio::create_task(v.loop, greedy());
    auto b = aio::create_task(v.loop, hold_permit(semaphore, log, "B", 10ms));
    v.settle();
    EXPECT_TRUE(locked_after_release)
        << "ch07.semaphore_wake: the permit released went to the woken waiter, none is free";
    EXPECT_EQ(joined(log.lines), "A @0, B @5, A again @15")
        << "ch07.semaphore_wake: the woken waiter goes first; the releaser queues behind it";
}

TEST(Semaphore, LockedWhileAnUncancelledWaiterIsQueued) {
    Semaphore semaphore(1);
    Log log;
    VirtualLoop v;
    auto a = aio::create_task(v.loop, hold_permit(semaphore, log, "A", 10ms));
    auto b = aio::create_task(v.loop, hold_permit(semaphore, log, "B", 10ms));
    v.settle(1ms);
    b.cancel(); // B's future is cancelled now; its task has not run yet
    EXPECT_TRUE(semaphore.locked()) << "ch07.semaphore_acquire: no permit left: locked()";
    v.settle();
    EXPECT_FALSE(semaphore.locked()) << "ch07.semaphore_release: A's permit is back, nobody waits";
    EXPECT_EQ(outcome_of(b), "cancelled") << "ch07.semaphore_acquire: B's wait was cancelled";
    EXPECT_EQ(joined(log.lines), "A") << "ch07.semaphore_acquire: a cancelled waiter never gets in";
}

// asyncio gh-90155: B is woken (a permit taken for it) and cancelled before
// it runs. It must give the permit back and C must get it.
TEST(Semaphore, AWokenThenCancelledWaiterPassesThePermitOn) {
    Semaphore semaphore(1);
    Log log;
    VirtualLoop v;
    log.clock = &v;
    std::optional<aio::Task<void>> b;
    auto releaser = [&]() -> Coro<void> {
        co_await semaphore.acquire();
        log.add("A");
        co_await aio::sleep(10ms);
        semaphore.release(); // wakes B...
        b->cancel();         // ...which is cancelled before it runs
    };
    auto a = aio::create_task(v.loop, releaser());
    b = aio::create_task(v.loop, hold_permit(semaphore, log, "B", 10ms));
    auto c = aio::create_task(v.loop, hold_permit(semaphore, log, "C", 10ms));
    v.settle();
    EXPECT_EQ(outcome_of(*b), "cancelled") << "ch07.semaphore_give_back: B ends cancelled";
    EXPECT_EQ(joined(log.lines), "A @0, C @10")
        << "ch07.semaphore_give_back: B's permit goes back and on to C";
    EXPECT_FALSE(semaphore.locked())
        << "ch07.semaphore_give_back: in the end the permit is back (no permit lost)";
    auto d = aio::create_task(v.loop, hold_permit(semaphore, log, "D", 1ms));
    v.settle();
    EXPECT_EQ(outcome_of(d), "ok") << "ch07.semaphore_give_back: the semaphore still works";
}

// The wake-more loop of acquire() runs on the normal path too. At 10 ms S
// releases twice: the first wakes B, the second finds nobody pending and
// stays in the counter. C, whose step comes next in the same pass, finds
// locked() true (B is a live waiter) and queues. Only B, leaving its wait,
// can hand that free permit on to C.
TEST(Semaphore, AWokenWaiterHandsAFreePermitOnToANewcomer) {
    Semaphore semaphore(0);
    Log log;
    VirtualLoop v;
    log.clock = &v;
    bool locked_with_a_free_permit = false;
    auto releaser = [&]() -> Coro<void> {
        co_await aio::sleep(10ms);
        semaphore.release(); // wakes B
        semaphore.release(); // nobody pending: the permit stays in the counter
        locked_with_a_free_permit = semaphore.locked();
    };
    auto newcomer = [&]() -> Coro<void> {
        co_await aio::sleep(10ms); // its step comes right after the releaser's
        co_await semaphore.acquire();
        log.add("C");
    };
    auto b = aio::create_task(v.loop, hold_permit(semaphore, log, "B", 10ms));
    auto s = aio::create_task(v.loop, releaser());
    auto c = aio::create_task(v.loop, newcomer());
    v.settle();
    EXPECT_TRUE(locked_with_a_free_permit)
        << "ch07.semaphore_locked: a woken waiter that has not run yet keeps locked() true, "
           "even with a permit free (FIFO)";
    EXPECT_EQ(joined(log.lines), "B @10, C @10")
        << "ch07.semaphore_acquire: B, leaving its wait normally, wakes C for the free permit "
           "(the wake-more loop runs on both paths)";
    int free_permits = 0;
    auto count = [&]() -> Coro<void> {
        while (!semaphore.locked() && free_permits < 5) {
            co_await semaphore.acquire();
            ++free_permits;
        }
    };
    auto counting = aio::create_task(v.loop, count());
    v.settle();
    EXPECT_EQ(free_permits, 1)
        << "ch07.semaphore_acquire: two releases, B's permit back, C still holding one: one "
           "permit is free (a woken waiter does not take a second permit for itself)";
}

// A waiter cancelled while it still waited (its future cancelled, not woken)
// got no permit and gives none back.
TEST(Semaphore, AWaiterCancelledWhileWaitingGivesNothingBack) {
    Semaphore semaphore(1);
    VirtualLoop v;
    auto holder = [&]() -> Coro<void> {
        co_await semaphore.acquire();
        co_await aio::sleep(100ms);
    };
    auto a = aio::create_task(v.loop, holder());
    auto b = aio::create_task(v.loop, semaphore.acquire());
    v.settle(10ms);
    b.cancel();
    v.settle(10ms);
    EXPECT_EQ(outcome_of(b), "cancelled") << "ch07.semaphore_give_back: B ends cancelled";
    EXPECT_TRUE(semaphore.locked())
        << "ch07.semaphore_give_back: B was cancelled while waiting, so it had no permit to give "
           "back; A still holds the only one";
}

TEST(Semaphore, BoundsConcurrencyMeasuredAsAPeak) {
    Semaphore semaphore(3);
    Log log;
    Occupancy occupancy;
    VirtualLoop v;
    std::vector<aio::Task<void>> tasks;
    for (int i = 0; i < 12; ++i)
        tasks.push_back(aio::create_task(
            v.loop, hold_permit(semaphore, log, std::to_string(i), 100ms, &occupancy)));
    v.settle(10s);
    EXPECT_EQ(log.lines.size(), 12u) << "ch07.semaphore_release: all 12 jobs ran";
    EXPECT_EQ(occupancy.peak, 3) << "ch07.semaphore_acquire: at most 3 inside at once, and 3 used";
    EXPECT_GE(v.ms(), 400) << "ch07.semaphore_wake: 12 jobs of 100 ms, 3 at a time: 4 rounds";
}

TEST(BoundedSemaphore, ReleasingAboveTheInitialValueIsAValueError) {
    aio::BoundedSemaphore bounded(2);
    try {
        bounded.release();
        ADD_FAILURE() << "ch07.semaphore_release: a release above the bound must throw";
    } catch (const aio::ValueError& error) {
        EXPECT_NE(std::string(error.what()).find("released too many times"), std::string::npos)
            << "ch07.semaphore_release: asyncio's message, got: " << error.what();
    }
    Semaphore& plain = bounded;
    EXPECT_THROW(plain.release(), aio::ValueError)
        << "ch07.semaphore_release: the bound holds through a Semaphore& too";
    EXPECT_FALSE(bounded.locked()) << "ch07.semaphore_release: a refused release changes nothing";
}

TEST(Semaphore, APlainSemaphoreHasNoBound) {
    Semaphore unbounded(0);
    unbounded.release();
    unbounded.release();
    EXPECT_FALSE(unbounded.locked()) << "ch07.semaphore_release: a plain Semaphore has no bound";
    Log log;
    VirtualLoop v;
    std::vector<aio::Task<void>> tasks;
    for (std::string name : {"A", "B", "C"})
        tasks.push_back(aio::create_task(v.loop, hold_permit(unbounded, log, name, 1ms)));
    v.settle();
    EXPECT_EQ(log.lines.size(), 3u) << "ch07.semaphore_wake: two released permits serve three jobs";
}
