// Graded tests for asyncio's compaction rule as the loop meets it, through
// next_deadline() and pop_due(): over 100 entries and over half cancelled.
#include <algorithm>
#include <optional>
#include <vector>

#include "timer_test_hook.hpp"

using aio::Callback;
using aio::TimePoint;
using aio::TimerHandle;
using aio::TimerQueue;

namespace looplab {
namespace {

TEST(TimerQueue, NextDeadlineCompactsOnlyAboveAHundredAndHalf) {
    struct Case {
        int total, cancelled;
        std::size_t heap_after;
    };
    const Case cases[] = {
        {100, 60, 100}, // not more than 100 entries
        {150, 75, 150}, // exactly half: not more than half
        {101, 51, 50},  // both just over: compacts
    };
    for (const Case& c : cases) {
        TimerQueue queue;
        std::vector<TimerHandle> handles = push_spaced(queue, c.total);
        cancel_latest(handles, c.cancelled);
        EXPECT_EQ(queue.next_deadline(), t0 + 1ms)
            << "ch02.next_deadline: the earliest timer is live and stays the answer";
        EXPECT_EQ(queue.heap_size(), c.heap_after)
            << "ch02.next_deadline: " << c.total << " entries with " << c.cancelled
            << " cancelled: call compact_if_mostly_cancelled() first";
        EXPECT_EQ(queue.size(), std::size_t(c.total - c.cancelled))
            << "ch02.next_deadline: compaction never drops a live timer";
    }
}

TEST(TimerQueue, CompactedQueueStillPopsInOrder) {
    TimerQueue queue;
    std::vector<TimerHandle> handles = push_spaced(queue, 150);
    for (int i = 0; i < 150; ++i) {
        if (i % 5 != 0 && i % 5 != 3) handles[i].cancel(); // 90 of 150 (60%), spread out
    }
    ASSERT_EQ(queue.next_deadline(), t0 + 1ms) << "ch02.next_deadline: the 1 ms timer is live";
    ASSERT_EQ(queue.heap_size(), 60u) << "ch02.next_deadline: 150 entries, 90 cancelled: compact";
    handles[3].cancel(); // a live one after the rebuild still counts
    EXPECT_EQ(queue.size(), 59u) << "ch02.compact: a live timer still counts its cancel";

    std::vector<TimePoint> order;
    std::vector<Callback> out;
    for (int i = 0; i < 59; ++i) { // one timer at a time, earliest first
        std::optional<TimePoint> next = queue.next_deadline();
        ASSERT_TRUE(next.has_value()) << "ch02.next_deadline: 59 live timers are left";
        order.push_back(*next);
        ASSERT_EQ(queue.pop_due(*next, out), 1u)
            << "ch02.pop_due: exactly the timer at next_deadline() is due then";
    }
    EXPECT_EQ(out.size(), 59u) << "ch02.pop_due: every live timer was handed out once";
    EXPECT_TRUE(std::is_sorted(order.begin(), order.end()))
        << "ch02.pop_due: deadlines come out in order after a compaction";
}

TEST(TimerQueue, PopDueCompactsToo) {
    TimerQueue queue;
    std::vector<TimerHandle> handles = push_spaced(queue, 150);
    cancel_latest(handles, 90);
    std::vector<Callback> out;
    EXPECT_EQ(queue.pop_due(t0, out), 0u) << "ch02.pop_due: nothing is due at t0";
    EXPECT_EQ(queue.heap_size(), 60u)
        << "ch02.pop_due: check the compaction rule first, as next_deadline() does";
    EXPECT_EQ(queue.pop_due(t0 + 1s, out), 60u) << "ch02.pop_due: the 60 live timers are due";
    EXPECT_EQ(queue.heap_size(), 0u) << "ch02.pop_due: nothing is left";
}

} // namespace
} // namespace looplab
