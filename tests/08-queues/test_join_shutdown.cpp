// task_done/join, shutdown (3.13), PriorityQueue and LifoQueue.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "queue_test_helpers.hpp"

using namespace looplab;
using aio::Coro;
using aio::Queue;

TEST(Queue, TaskDoneCalledTooOftenIsAValueError) {
    Queue<int> queue;
    queue.put_nowait(1);
    queue.get_nowait();
    EXPECT_NO_THROW(queue.task_done()) << "ch08.task_done: one task_done per item got is fine";
    try {
        queue.task_done();
        ADD_FAILURE() << "ch08.task_done: a second task_done for one item must throw";
    } catch (const aio::ValueError& error) {
        EXPECT_NE(std::string(error.what()).find("task_done() called too many times"),
                  std::string::npos)
            << "ch08.task_done: asyncio's message, got: " << error.what();
    }
}

TEST(Queue, JoinWaitsUntilEveryItemPutIsMarkedDone) {
    Queue<int> queue;
    Log log;
    VirtualLoop v;
    log.clock = &v;
    for (int i = 0; i < 3; ++i)
        queue.put_nowait(i);
    auto worker = [&]() -> Coro<void> {
        for (int i = 0; i < 3; ++i) {
            queue.get_nowait();
            co_await aio::sleep(10ms);
            queue.task_done();
        }
    };
    auto joiner = [&]() -> Coro<void> {
        co_await queue.join();
        log.add("joined");
    };
    auto j = aio::create_task(v.loop, joiner());
    auto w = aio::create_task(v.loop, worker());
    v.settle();
    EXPECT_EQ(joined(log.lines), "joined @30")
        << "ch08.join: join() returns when the last of the 3 items is marked done, not before";
    auto again = aio::create_task(v.loop, queue.join());
    v.loop.run_once();
    EXPECT_EQ(outcome_of(again), "ok")
        << "ch08.join: with nothing unfinished join() returns at once";
}

TEST(Queue, ShutdownMakesPutRaiseWhileGetDrainsThenRaises) {
    Queue<int> queue;
    VirtualLoop v;
    queue.put_nowait(1);
    queue.put_nowait(2);
    queue.shutdown();
    EXPECT_THROW(queue.put_nowait(3), aio::QueueShutDown)
        << "ch08.shutdown: after shutdown() nothing more goes in";
    auto drain = [&]() -> Coro<int> {
        int sum = co_await queue.get();
        sum += co_await queue.get();
        co_return sum;
    };
    auto d = aio::create_task(v.loop, drain());
    v.settle();
    EXPECT_EQ(outcome_of(d), "ok") << "ch08.shutdown: get() still drains what was left";
    auto empty = aio::create_task(v.loop, queue.get());
    v.settle();
    EXPECT_NE(outcome_of(empty).find("shut down"), std::string::npos)
        << "ch08.shutdown: then get() raises QueueShutDown, got: " << outcome_of(empty);
    EXPECT_THROW(queue.get_nowait(), aio::QueueShutDown)
        << "ch08.shutdown: get_nowait on a drained shut-down queue says so";
}

TEST(Queue, ShutdownWakesEveryBlockedGetterAndPutter) {
    Queue<int> empty_queue;
    Queue<int> full_queue(1);
    VirtualLoop v;
    full_queue.put_nowait(0);
    auto getter = aio::create_task(v.loop, empty_queue.get());
    auto putter = aio::create_task(v.loop, full_queue.put(1));
    v.settle(1ms);
    empty_queue.shutdown();
    full_queue.shutdown();
    v.settle(1ms);
    EXPECT_NE(outcome_of(getter).find("shut down"), std::string::npos)
        << "ch08.shutdown: a blocked get() wakes with QueueShutDown, got: " << outcome_of(getter);
    EXPECT_NE(outcome_of(putter).find("shut down"), std::string::npos)
        << "ch08.shutdown: a blocked put() wakes with QueueShutDown, got: " << outcome_of(putter);
}

TEST(Queue, ShutdownImmediateDropsTheItemsAndReleasesJoin) {
    Queue<int> queue;
    VirtualLoop v;
    for (int i = 0; i < 5; ++i)
        queue.put_nowait(i);
    queue.get_nowait(); // one got, never marked done
    auto joiner = aio::create_task(v.loop, queue.join());
    v.settle(1ms);
    EXPECT_EQ(outcome_of(joiner), "pending") << "ch08.join: 5 unfinished items: join waits";
    queue.shutdown(/*immediate=*/true);
    EXPECT_TRUE(queue.empty()) << "ch08.shutdown: immediate drops the 4 waiting items";
    v.settle(1ms);
    EXPECT_EQ(outcome_of(joiner), "pending")
        << "ch08.shutdown: the item got but not done still holds join()";
    queue.task_done();
    v.settle(1ms);
    EXPECT_EQ(outcome_of(joiner), "ok")
        << "ch08.shutdown: dropped items count as done: the last task_done releases join()";
}

TEST(PriorityQueue, SmallestFirstAndTiesBrokenByASequenceNumber) {
    aio::PriorityQueue<std::pair<int, int>> queue; // (priority, sequence), as with heapq
    int sequence = 0;
    for (int priority : {5, 1, 3, 1, 5, 0, 3})
        queue.put_nowait({priority, sequence++});
    std::string order;
    while (!queue.empty()) {
        auto [priority, seq] = queue.get_nowait();
        order += std::to_string(priority) + "/" + std::to_string(seq) + " ";
    }
    EXPECT_EQ(order, "0/5 1/1 1/3 3/2 3/6 5/0 5/4 ")
        << "ch08.priority: smallest first; equal priorities by their sequence number";
}

TEST(PriorityQueue, ACustomCompareAndWaitingGetters) {
    aio::PriorityQueue<int, std::greater<int>> largest_first;
    std::vector<int> got;
    VirtualLoop v;
    auto consumer = [&]() -> Coro<void> {
        for (int i = 0; i < 4; ++i)
            got.push_back(co_await largest_first.get());
    };
    auto c = aio::create_task(v.loop, consumer());
    v.settle(1ms);
    for (int item : {2, 9, 4, 7})
        largest_first.put_nowait(item);
    v.settle();
    EXPECT_EQ(got, (std::vector<int>{9, 7, 4, 2}))
        << "ch08.priority: the woken getter runs after the four puts (a wake-up is a "
           "callback on a later pass), so every item comes out largest first (std::greater)";
}

TEST(LifoQueue, LastInFirstOut) {
    aio::LifoQueue<std::string> stack;
    for (std::string item : {"a", "b", "c"})
        stack.put_nowait(item);
    std::string order;
    while (!stack.empty())
        order += stack.get_nowait();
    EXPECT_EQ(order, "cba") << "ch08.get_nowait: a LifoQueue hands out the newest item first";
}
