// The race without threads, and Event.
#include <gtest/gtest.h>

#include "locks_test_helpers.hpp"
#include "race.hpp"

using namespace looplab;
using aio::Coro;

TEST(Race, AnAwaitBetweenReadAndWriteLosesUpdates) {
    int counted = aio::count_updates(10, 100, false);
    EXPECT_LT(counted, 1000) << "the given unlocked version must lose updates: that is the race";
    EXPECT_EQ(counted, 100) << "every task reads the same value each round: one update per round";
}

TEST(Race, TheLockKeepsEveryUpdate) {
    EXPECT_EQ(aio::count_updates(10, 100, true), 1000)
        << "ch07.race_fix: with the read, turn and write inside the lock, no update is lost";
}

TEST(Event, SetRaisesTheFlagOnceAndClearLowersIt) {
    aio::Event event;
    EXPECT_FALSE(event.is_set()) << "an Event starts cleared";
    event.set();
    EXPECT_TRUE(event.is_set()) << "ch07.event_set: set() raises the flag";
    event.set();
    EXPECT_TRUE(event.is_set()) << "ch07.event_set: a second set() changes nothing";
    event.clear();
    EXPECT_FALSE(event.is_set()) << "clear() lowers the flag";
}

TEST(Event, SetWakesEveryWaiterAndAWaitOnASetEventReturnsAtOnce) {
    aio::Event event;
    Log log;
    VirtualLoop v;
    log.clock = &v;
    auto waiter = [&](std::string name) -> Coro<void> {
        co_await event.wait();
        log.add(name);
    };
    auto setter = [&]() -> Coro<void> {
        co_await aio::sleep(5ms);
        event.set();
    };
    std::vector<aio::Task<void>> tasks;
    for (std::string name : {"A", "B", "C"})
        tasks.push_back(aio::create_task(v.loop, waiter(name)));
    auto set_task = aio::create_task(v.loop, setter());
    v.settle(2ms);
    EXPECT_TRUE(log.lines.empty()) << "ch07.event_wait: wait() blocks while the flag is down";
    v.settle();
    EXPECT_EQ(joined(log.lines), "A @5, B @5, C @5")
        << "ch07.event_set, ch07.event_wait: set() wakes every waiter, in the order they waited";
    auto late = aio::create_task(v.loop, waiter("D"));
    v.loop.run_once(); // one iteration: the task's first step
    EXPECT_EQ(outcome_of(late), "ok")
        << "ch07.event_wait: a wait on a set event returns without waiting";
    event.clear();
    auto blocked = aio::create_task(v.loop, waiter("E"));
    v.settle();
    EXPECT_EQ(outcome_of(blocked), "pending")
        << "ch07.event_wait: after clear() wait() blocks again";
}

// A is cancelled and set() comes in the same pass, before A's task ran: A's
// future is done (cancelled) but still queued, and set() must skip it.
TEST(Event, SetSkipsAWaiterCancelledButStillQueued) {
    aio::Event event;
    Log log;
    VirtualLoop v;
    auto waiter = [&](std::string name) -> Coro<void> {
        co_await event.wait();
        log.add(name);
    };
    auto a = aio::create_task(v.loop, waiter("A"));
    auto b = aio::create_task(v.loop, waiter("B"));
    v.settle(1ms);
    a.cancel();
    EXPECT_NO_THROW(event.set())
        << "ch07.event_set: set() skips a waiter whose future is done (cancelled): setting it "
           "would be an InvalidStateError";
    v.settle(1ms);
    EXPECT_EQ(outcome_of(a), "cancelled") << "ch07.event_wait: a waiter can be cancelled";
    EXPECT_EQ(joined(log.lines), "B") << "ch07.event_set: the other waiter wakes";
}

TEST(Event, ACancelledWaiterLeavesAndTheOthersStillWake) {
    aio::Event event;
    Log log;
    VirtualLoop v;
    auto waiter = [&](std::string name) -> Coro<void> {
        co_await event.wait();
        log.add(name);
    };
    auto a = aio::create_task(v.loop, waiter("A"));
    auto b = aio::create_task(v.loop, waiter("B"));
    v.settle(1ms);
    a.cancel();
    v.settle(1ms);
    event.set();
    v.settle(1ms);
    EXPECT_EQ(outcome_of(a), "cancelled") << "ch07.event_wait: a waiter can be cancelled";
    EXPECT_EQ(joined(log.lines), "B") << "ch07.event_set: the remaining waiter still wakes";
}
