// Queue: FIFO, put blocking on a full queue and get on an empty one, waiters
// woken then cancelled passing the wake-up on, no item lost or duplicated.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <set>

#include "queue_test_helpers.hpp"

using namespace looplab;
using aio::Coro;
using aio::Queue;

namespace {

Coro<void> get_and_log(Queue<int>& queue, Log& log, std::string name) {
    int item = co_await queue.get();
    log.add(name + " got " + std::to_string(item));
}

Coro<void> put_and_log(Queue<int>& queue, Log& log, std::string name, int item) {
    co_await queue.put(item);
    log.add(name + " put " + std::to_string(item));
}

} // namespace

TEST(Queue, PutNowaitStoresAndRefusesAFullQueue) {
    Queue<int> queue(2);
    queue.put_nowait(1);
    queue.put_nowait(2);
    EXPECT_EQ(queue.qsize(), 2u) << "ch08.put_nowait: two items stored";
    EXPECT_TRUE(queue.full()) << "ch08.put_nowait: maxsize 2 holding 2 is full";
    try {
        queue.put_nowait(3);
        ADD_FAILURE() << "ch08.put_nowait: a full queue refuses with QueueFull";
    } catch (const aio::QueueFull& error) {
        EXPECT_STREQ(error.what(), "put_nowait: the queue is full; use put() to wait for room")
            << "ch08.put_nowait: QueueFull's message as the chapter states it";
    }
    EXPECT_EQ(queue.qsize(), 2u) << "ch08.put_nowait: a refused item is not stored";
    Queue<int> unbounded;
    for (int i = 0; i < 1000; ++i)
        unbounded.put_nowait(i);
    EXPECT_FALSE(unbounded.full()) << "ch08.put_nowait: maxsize 0 is never full";
}

TEST(Queue, GetNowaitTakesInFifoOrderAndRefusesAnEmptyQueue) {
    Queue<int> queue;
    try {
        queue.get_nowait();
        ADD_FAILURE() << "ch08.get_nowait: an empty queue refuses with QueueEmpty";
    } catch (const aio::QueueEmpty& error) {
        EXPECT_STREQ(error.what(), "get_nowait: the queue is empty; use get() to wait for an item")
            << "ch08.get_nowait: QueueEmpty's message as the chapter states it";
    }
    for (int i = 1; i <= 3; ++i)
        queue.put_nowait(i);
    std::vector<int> got;
    for (int i = 0; i < 3; ++i)
        got.push_back(queue.get_nowait());
    EXPECT_EQ(got, (std::vector<int>{1, 2, 3})) << "ch08.get_nowait: first in, first out";
    EXPECT_TRUE(queue.empty()) << "ch08.get_nowait: every item taken";
}

TEST(Queue, GetWaitsOnAnEmptyQueueUntilAPutAndGettersAreServedInOrder) {
    Queue<int> queue;
    Log log;
    VirtualLoop v;
    log.clock = &v;
    auto a = aio::create_task(v.loop, get_and_log(queue, log, "A"));
    auto b = aio::create_task(v.loop, get_and_log(queue, log, "B"));
    auto producer = [&]() -> Coro<void> {
        co_await aio::sleep(10ms);
        queue.put_nowait(1);
        co_await aio::sleep(10ms);
        queue.put_nowait(2);
    };
    auto p = aio::create_task(v.loop, producer());
    v.settle(5ms);
    EXPECT_TRUE(log.lines.empty()) << "ch08.get: get() on an empty queue waits";
    v.settle();
    EXPECT_EQ(joined(log.lines), "A got 1 @10, B got 2 @20")
        << "ch08.put_nowait, ch08.get: each put wakes the oldest getter, at once";
}

TEST(Queue, PutWaitsOnAFullQueueUntilAGet) {
    Queue<int> queue(1);
    Log log;
    VirtualLoop v;
    log.clock = &v;
    queue.put_nowait(0);
    auto a = aio::create_task(v.loop, put_and_log(queue, log, "A", 1));
    auto b = aio::create_task(v.loop, put_and_log(queue, log, "B", 2));
    auto consumer = [&]() -> Coro<void> {
        for (int i = 0; i < 3; ++i) {
            co_await aio::sleep(10ms);
            log.add("got " + std::to_string(queue.get_nowait()));
        }
    };
    auto c = aio::create_task(v.loop, consumer());
    v.settle();
    EXPECT_EQ(joined(log.lines), "got 0 @10, A put 1 @10, got 1 @20, B put 2 @20, got 2 @30")
        << "ch08.put, ch08.get_nowait: put() on a full queue waits; each get wakes the oldest "
           "putter";
}

// A waiter is woken on one pass and runs on a later one. In between, another
// task may take the item (or the room) it was woken for: it must wait again,
// not fail with QueueEmpty (or QueueFull).
TEST(Queue, AWokenWaiterThatFindsItsItemOrRoomGoneWaitsAgain) {
    Queue<int> empty_queue;
    Queue<int> full_queue(1);
    Log log;
    VirtualLoop v;
    log.clock = &v;
    full_queue.put_nowait(0);
    auto a = aio::create_task(v.loop, get_and_log(empty_queue, log, "A"));
    auto b = aio::create_task(v.loop, put_and_log(full_queue, log, "B", 2));
    v.settle(1ms);
    auto snatch = [&]() -> Coro<void> {
        empty_queue.put_nowait(1); // wakes A...
        empty_queue.get_nowait();  // ...and takes the item back before A runs
        full_queue.get_nowait();   // room for B...
        full_queue.put_nowait(1);  // ...taken again before B runs
        co_await aio::sleep(10ms);
        empty_queue.put_nowait(3);
        full_queue.get_nowait();
    };
    auto s = aio::create_task(v.loop, snatch());
    v.settle();
    EXPECT_EQ(outcome_of(a), "ok")
        << "ch08.get: a getter that finds the queue empty again waits again, got: "
        << outcome_of(a);
    EXPECT_EQ(outcome_of(b), "ok")
        << "ch08.put: a putter that finds the queue full again waits again, got: " << outcome_of(b);
    EXPECT_EQ(joined(log.lines), "A got 3 @11, B put 2 @11")
        << "ch08.get, ch08.put: each is served by the next item (the next room) instead";
}

// A getter woken by a put and cancelled before it runs must not swallow the
// wake-up: the item is there, and the next getter must get it.
TEST(Queue, AWokenThenCancelledGetterPassesTheItemOn) {
    Queue<int> queue;
    Log log;
    VirtualLoop v;
    auto a = aio::create_task(v.loop, get_and_log(queue, log, "A"));
    auto b = aio::create_task(v.loop, get_and_log(queue, log, "B"));
    v.settle(1ms);
    auto put_then_cancel = [&]() -> Coro<void> {
        queue.put_nowait(7); // wakes A...
        a.cancel();          // ...which is cancelled before it runs
        co_return;
    };
    auto p = aio::create_task(v.loop, put_then_cancel());
    v.settle();
    EXPECT_EQ(outcome_of(a), "cancelled") << "ch08.get: A ends cancelled";
    EXPECT_EQ(joined(log.lines), "B got 7") << "ch08.get: the wake-up passes to B, with the item";
    EXPECT_TRUE(queue.empty()) << "ch08.get: the item was taken exactly once";
}

TEST(Queue, AWokenThenCancelledPutterPassesTheRoomOn) {
    Queue<int> queue(1);
    Log log;
    VirtualLoop v;
    queue.put_nowait(0);
    auto a = aio::create_task(v.loop, put_and_log(queue, log, "A", 1));
    auto b = aio::create_task(v.loop, put_and_log(queue, log, "B", 2));
    v.settle(1ms);
    auto get_then_cancel = [&]() -> Coro<void> {
        queue.get_nowait(); // room for A...
        a.cancel();         // ...which is cancelled before it runs
        co_return;
    };
    auto g = aio::create_task(v.loop, get_then_cancel());
    v.settle();
    EXPECT_EQ(outcome_of(a), "cancelled") << "ch08.put: A ends cancelled, its item not put";
    EXPECT_EQ(joined(log.lines), "B put 2") << "ch08.put: the room passes to B";
    EXPECT_EQ(queue.get_nowait(), 2) << "ch08.put: B's item, and only B's, is in the queue";
}

// Consumers cancelled at arbitrary moments while a producer fills the queue:
// every item comes out exactly once, to a consumer that returned it.
TEST(Queue, CancelledGetsLoseNoItemAndDuplicateNone) {
    Queue<int> queue(3);
    std::vector<int> received;
    VirtualLoop v;
    auto consumer = [&]() -> Coro<void> {
        for (;;)
            received.push_back(co_await queue.get());
    };
    auto producer = [&]() -> Coro<void> {
        for (int i = 0; i < 200; ++i) {
            co_await queue.put(i);
            if (i % 7 == 0) co_await aio::sleep(1ms);
        }
    };
    std::vector<aio::Task<void>> consumers;
    for (int i = 0; i < 4; ++i)
        consumers.push_back(aio::create_task(v.loop, consumer()));
    auto p = aio::create_task(v.loop, producer());
    for (int round = 0; round < 40; ++round) { // cancel one, start another, every 1 ms
        v.settle(1ms);
        consumers[static_cast<std::size_t>(round) % consumers.size()].cancel();
        consumers[static_cast<std::size_t>(round) % consumers.size()] =
            aio::create_task(v.loop, consumer());
    }
    v.settle();
    EXPECT_EQ(outcome_of(p), "ok") << "ch08.put: the producer put every item";
    std::set<int> distinct(received.begin(), received.end());
    EXPECT_EQ(received.size(), 200u) << "ch08.get: 200 items put, 200 received (none lost)";
    EXPECT_EQ(distinct.size(), received.size()) << "ch08.get: no item received twice";
    EXPECT_TRUE(std::is_sorted(received.begin(), received.end()))
        << "ch08.get: and in the order they were put";
}

TEST(Queue, MoveOnlyItemsTravelThroughPutAndGet) {
    Queue<std::unique_ptr<int>> queue(1);
    int sum = 0;
    VirtualLoop v;
    auto producer = [&]() -> Coro<void> {
        for (int i = 1; i <= 3; ++i)
            co_await queue.put(std::make_unique<int>(i));
    };
    auto consumer = [&]() -> Coro<void> {
        for (int i = 0; i < 3; ++i) {
            std::unique_ptr<int> item = co_await queue.get();
            sum += *item;
        }
    };
    auto p = aio::create_task(v.loop, producer());
    auto c = aio::create_task(v.loop, consumer());
    v.settle();
    EXPECT_EQ(sum, 6) << "ch08.get: unique_ptr items move through the queue, none lost";
}
