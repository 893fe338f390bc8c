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
        << "ch08.join, ch08.task_done, ch08.put_nowait: join() returns when the last of the 3 "
           "items is marked done, not before";
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
    try {
        queue.put_nowait(3);
        ADD_FAILURE() << "ch08.put_nowait: after shutdown() nothing more goes in";
    } catch (const aio::QueueShutDown& error) {
        EXPECT_STREQ(error.what(), "put_nowait: the queue is shut down; nothing more goes in")
            << "ch08.put_nowait: QueueShutDown's message as the chapter states it";
    }
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
    EXPECT_EQ(outcome_of(empty), "get: the queue is shut down and drained")
        << "ch08.get: then get() raises QueueShutDown with the chapter's message";
    try {
        queue.get_nowait();
        ADD_FAILURE() << "ch08.get_nowait: a drained shut-down queue raises QueueShutDown";
    } catch (const aio::QueueShutDown& error) {
        EXPECT_STREQ(error.what(), "get_nowait: the queue is shut down and drained")
            << "ch08.get_nowait: QueueShutDown's message as the chapter states it";
    } catch (const aio::QueueEmpty&) {
        ADD_FAILURE() << "ch08.get_nowait: shut down and empty is QueueShutDown, not QueueEmpty";
    }
}

TEST(Queue, ShutdownWakesEveryBlockedGetterAndPutter) {
    Queue<int> empty_queue;
    Queue<int> full_queue(1);
    VirtualLoop v;
    full_queue.put_nowait(0);
    std::vector<aio::Task<int>> getters;
    std::vector<aio::Task<void>> putters;
    for (int i = 0; i < 2; ++i) {
        getters.push_back(aio::create_task(v.loop, empty_queue.get()));
        putters.push_back(aio::create_task(v.loop, full_queue.put(i)));
    }
    v.settle(1ms);
    empty_queue.shutdown();
    full_queue.shutdown();
    v.settle(1ms);
    for (int i = 0; i < 2; ++i) {
        EXPECT_EQ(outcome_of(getters[i]), "get: the queue is shut down and drained")
            << "ch08.shutdown, ch08.get: blocked get() " << i
            << " of 2 wakes with QueueShutDown (every getter, not only the first)";
        EXPECT_EQ(outcome_of(putters[i]), "put: the queue is shut down; nothing more goes in")
            << "ch08.shutdown, ch08.put: blocked put() " << i
            << " of 2 wakes with QueueShutDown (every putter, not only the first)";
    }
    try {
        full_queue.put_nowait(2);
        ADD_FAILURE() << "ch08.put_nowait: a shut-down queue refuses, full or not";
    } catch (const aio::QueueShutDown&) {
    } catch (const aio::QueueFull&) {
        ADD_FAILURE() << "ch08.put_nowait: shut down AND full is QueueShutDown: the shutdown is "
                         "checked first";
    }
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
