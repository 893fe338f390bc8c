// Graded tests: the ready queue (a ring buffer with tickets) and the Handle
// that cancels through it, before any loop runs.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "event_loop.hpp"
#include "loop_test_access.hpp"

using aio::Callback;
using aio::detail::ReadyQueue;
using aio::detail::ReadyQueueTestAccess;

namespace {
// A callback that appends n to log when run.
Callback logs(std::vector<int>& log, int n) {
    return [&log, n] { log.push_back(n); };
}

// Pops count entries and runs them (an empty one was cancelled: logs -1).
void pop_and_run(ReadyQueue& queue, std::vector<int>& log, int count) {
    for (int i = 0; i < count; ++i) {
        Callback entry = queue.pop();
        if (entry)
            entry();
        else
            log.push_back(-1);
    }
}
} // namespace

TEST(ReadyQueue, PushHandsOutConsecutiveTicketsAndTakesTheCallback) {
    ReadyQueue queue;
    std::vector<int> log;
    for (int i = 0; i < 3; ++i) {
        Callback callback = logs(log, i);
        EXPECT_EQ(queue.push(std::move(callback)), static_cast<std::uint64_t>(i))
            << "ch03.ready_push: the n-th entry ever pushed gets ticket n (counting from 0)";
        EXPECT_FALSE(callback)
            << "ch03.ready_push: push takes the callback (swap it into the slot)";
        EXPECT_EQ(queue.size(), static_cast<std::size_t>(i + 1))
            << "ch03.ready_push: each push adds one entry";
    }
    EXPECT_TRUE(log.empty()) << "ch03.ready_push: pushing never runs anything";
}

TEST(ReadyQueue, PopsInFifoOrderAndWrapsAround) {
    ReadyQueue queue;
    std::vector<int> log, expected;
    int next = 0;
    for (int round = 0; round < 5; ++round) { // 200 entries through 64 slots: head wraps
        for (int i = 0; i < 40; ++i) {
            EXPECT_EQ(queue.push(logs(log, next)), static_cast<std::uint64_t>(next))
                << "ch03.ready_push / ch03.ready_pop: tickets go on counting after pops (a ticket "
                   "counts the entries ever pushed; it is not a slot index)";
            expected.push_back(next++);
        }
        pop_and_run(queue, log, 40);
        EXPECT_TRUE(queue.empty()) << "ch03.ready_pop: each pop removes one entry";
    }
    EXPECT_EQ(log, expected) << "ch03.ready_pop: entries come out first in, first out, also "
                                "after the head wrapped around the end of the ring";
    auto captured = std::make_shared<int>(0);
    queue.push([captured] {});
    queue.pop(); // the popped callback dies here
    EXPECT_EQ(captured.use_count(), 1)
        << "ch03.ready_pop: a popped entry leaves nothing behind in its slot (take it out, do "
           "not copy it): the ring must not keep its captures alive";
}

TEST(ReadyQueue, GrowsWhenFullKeepingOrderAndTickets) {
    ReadyQueue queue;
    std::vector<int> log, expected;
    int next = 0;
    for (; next < 50; ++next)
        queue.push(logs(log, next));
    pop_and_run(queue, log, 30); // the head is now at slot 30: the queued range wraps
    for (; next < 1050; ++next)
        EXPECT_EQ(queue.push(logs(log, next)), static_cast<std::uint64_t>(next))
            << "ch03.ready_grow: growing must not change the tickets";
    EXPECT_EQ(queue.size(), 1020u) << "ch03.ready_grow: nothing is lost when the ring grows";
    pop_and_run(queue, log, 1020);
    for (int i = 0; i < 1050; ++i)
        expected.push_back(i);
    EXPECT_EQ(log, expected) << "ch03.ready_grow: after growing (from a wrapped ring) the "
                                "entries still come out in push order";
}

TEST(ReadyQueue, FindsAQueuedEntryByItsTicket) {
    ReadyQueue queue;
    std::vector<int> log;
    for (int i = 0; i < 5; ++i)
        queue.push(logs(log, i));
    pop_and_run(queue, log, 2); // tickets 0 and 1 left the queue
    EXPECT_EQ(ReadyQueueTestAccess::find(queue, 1), nullptr)
        << "ch03.ready_find: a ticket that was popped is not queued any more";
    EXPECT_EQ(ReadyQueueTestAccess::find(queue, 5), nullptr)
        << "ch03.ready_find: a ticket not handed out yet is not queued";
    for (int ticket = 2; ticket < 5; ++ticket) {
        Callback* entry = ReadyQueueTestAccess::find(queue, ticket);
        ASSERT_NE(entry, nullptr) << "ch03.ready_find: ticket " << ticket << " is queued";
        (*entry)();
        EXPECT_EQ(log.back(), ticket) << "ch03.ready_find: ticket n is the entry pushed n-th";
    }
}

TEST(ReadyQueue, CancelDropsTheCallbackButKeepsItsPlace) {
    ReadyQueue queue;
    std::vector<int> log;
    auto captured = std::make_shared<int>(0);
    queue.push(logs(log, 0));
    std::uint64_t victim = queue.push([&log, captured] { log.push_back(1); });
    queue.push(logs(log, 2));
    EXPECT_FALSE(queue.cancelled(victim))
        << "ch03.ready_cancel: a queued entry is not cancelled before cancel()";
    EXPECT_TRUE(queue.cancel(victim)) << "ch03.ready_cancel: a queued entry can be cancelled";
    EXPECT_EQ(captured.use_count(), 1)
        << "ch03.ready_cancel: cancel drops the callback, and its captures, at once";
    EXPECT_TRUE(queue.cancelled(victim)) << "ch03.ready_cancel: the entry now reads as cancelled";
    EXPECT_EQ(queue.size(), 3u) << "ch03.ready_cancel: the entry keeps its place (pop skips it)";
    pop_and_run(queue, log, 3);
    EXPECT_EQ(log, (std::vector<int>{0, -1, 2}))
        << "ch03.ready_cancel: the cancelled entry pops as an empty callback, in its place";
    EXPECT_FALSE(queue.cancel(victim)) << "ch03.ready_cancel: false once the entry left the queue";
}

TEST(CallSoon, QueuesWithoutRunningAndRefusesBadCalls) {
    aio::EventLoop loop;
    auto captured = std::make_shared<int>(0);
    bool ran = false;
    loop.call_soon([&ran, captured] { ran = true; });
    EXPECT_EQ(aio::detail::LoopTestAccess::ready_size(loop), 1u)
        << "ch03.call_soon: the callback goes into the ready queue";
    EXPECT_EQ(captured.use_count(), 2) << "ch03.call_soon: the queued callback holds its captures";
    EXPECT_FALSE(ran) << "ch03.call_soon: nothing runs inline; callbacks run only in a pass";
    EXPECT_THROW(loop.call_soon(aio::Callback{}), aio::ValueError)
        << "ch03.call_soon: an empty callback is a ValueError";
    EXPECT_EQ(aio::detail::LoopTestAccess::ready_size(loop), 1u)
        << "ch03.call_soon: a refused callback leaves the queue as it was";
    loop.close();
    try {
        loop.call_soon([] {});
        ADD_FAILURE() << "ch03.call_soon: a closed loop must refuse call_soon";
    } catch (const aio::RuntimeError& e) {
        EXPECT_STREQ(e.what(), "Event loop is closed") << "ch03.call_soon: asyncio's message";
    }
}

TEST(Handle, CancelDropsTheQueuedCallbackAndItsCapturesAtOnce) {
    aio::EventLoop loop;
    auto captured = std::make_shared<int>(7);
    aio::Handle handle = loop.call_soon([captured] {});
    loop.call_soon([] {});
    EXPECT_FALSE(handle.cancelled()) << "ch03.handle_cancel: a fresh handle is not cancelled";
    handle.cancel();
    EXPECT_TRUE(handle.cancelled()) << "ch03.handle_cancel: cancelled() after cancel()";
    EXPECT_EQ(captured.use_count(), 1)
        << "ch03.handle_cancel: cancel() drops the queued callback (ticket into the ready queue)";
    EXPECT_EQ(aio::detail::LoopTestAccess::ready_size(loop), 2u)
        << "ch03.handle_cancel: the entry keeps its place; the pass skips it";
    aio::Handle nothing;
    EXPECT_NO_THROW(nothing.cancel()) << "ch03.handle_cancel: a default Handle cancels nothing";
    EXPECT_TRUE(nothing.cancelled())
        << "ch03.handle_cancel: cancelled() is true after cancel(), even for a default Handle";
}
