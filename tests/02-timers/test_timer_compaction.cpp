// Graded tests for asyncio's compaction rule: over 100 entries and over half cancelled.
#include <algorithm>
#include <chrono>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "clock.hpp"
#include "timers.hpp"

using namespace std::chrono_literals;
using aio::Callback;
using aio::TimePoint;
using aio::TimerHandle;
using aio::TimerQueue;

namespace {

const TimePoint t0 = aio::VirtualClock::start_time;

// `total` timers at t0 + 1 ms, + 2 ms, ..., pushed in a shuffled order (so the heap
// array is not simply sorted); returns their handles in deadline order.
std::vector<TimerHandle> push_spaced(TimerQueue& queue, int total) {
    std::vector<int> order(total);
    for (int i = 0; i < total; ++i)
        order[i] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937(42));
    std::vector<TimerHandle> handles(total);
    for (int i : order)
        handles[i] = queue.push(t0 + (i + 1) * 1ms, [] {});
    return handles;
}

// The heap invariant, read through entries(): no entry is earlier than its parent.
bool is_heap(const TimerQueue& queue) {
    const std::vector<TimerQueue::Entry>& heap = queue.entries();
    for (std::size_t i = 1; i < heap.size(); ++i) {
        const TimerQueue::Entry& parent = heap[(i - 1) / 2];
        if (std::pair(heap[i].when, heap[i].seq) < std::pair(parent.when, parent.seq)) return false;
    }
    return true;
}

// Cancels the `n` latest timers: the top stays live, so next_deadline() alone
// drops nothing and any shrinking of the heap is compaction.
void cancel_latest(std::vector<TimerHandle>& handles, int n) {
    for (int i = 0; i < n; ++i)
        handles[handles.size() - 1 - i].cancel();
}

} // namespace

TEST(TimerQueue, CompactsWhenMostOfOverAHundredAreCancelled) {
    TimerQueue queue;
    std::vector<TimerHandle> handles = push_spaced(queue, 150);
    for (int i = 0; i < 150; ++i) {
        if (i % 5 != 0 && i % 5 != 3) handles[i].cancel(); // 90 of 150 (60%), spread out
    }
    EXPECT_EQ(queue.size(), 60u);
    EXPECT_EQ(queue.heap_size(), 150u) << "cancel() only marks; compaction waits for the queue";
    EXPECT_EQ(queue.next_deadline(), t0 + 1ms);
    EXPECT_EQ(queue.heap_size(), 60u)
        << "150 entries, 90 cancelled: next_deadline() must rebuild the heap without them";
    EXPECT_EQ(queue.size(), 60u);
    EXPECT_TRUE(is_heap(queue)) << "erasing entries breaks the heap order: heapify afterwards";

    handles[3].cancel(); // a live one after the rebuild still counts
    EXPECT_EQ(queue.size(), 59u);
    EXPECT_EQ(queue.heap_size(), 60u);
    handles[1].cancel(); // compacted away already: nothing changes
    EXPECT_EQ(queue.size(), 59u);
    EXPECT_EQ(queue.heap_size(), 60u);

    std::vector<TimePoint> order; // the rebuilt heap must still be a heap
    std::vector<Callback> out;
    for (int i = 0; i < 59; ++i) { // one timer at a time, earliest first
        std::optional<TimePoint> next = queue.next_deadline();
        ASSERT_TRUE(next.has_value()) << "59 live timers are left";
        order.push_back(*next);
        ASSERT_EQ(queue.pop_due(*next, out), 1u);
    }
    EXPECT_EQ(out.size(), 59u);
    EXPECT_TRUE(std::is_sorted(order.begin(), order.end())) << "re-heapify after removing entries";
}

TEST(TimerQueue, PopDueCompactsToo) {
    TimerQueue queue;
    std::vector<TimerHandle> handles = push_spaced(queue, 150);
    cancel_latest(handles, 90);
    std::vector<Callback> out;
    EXPECT_EQ(queue.pop_due(t0, out), 0u) << "nothing is due at t0";
    EXPECT_EQ(queue.heap_size(), 60u) << "pop_due() checks the compaction rule as well";
    EXPECT_EQ(queue.pop_due(t0 + 1s, out), 60u);
    EXPECT_EQ(queue.heap_size(), 0u);
}

TEST(TimerQueue, DoesNotCompactAtAHundredOrHalfCancelled) {
    struct Case {
        int total, cancelled;
        std::size_t heap_after;
    };
    // asyncio's rule: more than 100 entries AND more than half of them cancelled.
    const Case cases[] = {
        {100, 60, 100}, // not more than 100 entries
        {150, 75, 150}, // exactly half: not more than half
        {101, 50, 101}, // just under half
        {101, 51, 50},  // both just over: compacts
    };
    for (const Case& c : cases) {
        TimerQueue queue;
        std::vector<TimerHandle> handles = push_spaced(queue, c.total);
        cancel_latest(handles, c.cancelled);
        EXPECT_EQ(queue.next_deadline(), t0 + 1ms);
        EXPECT_EQ(queue.heap_size(), c.heap_after)
            << c.total << " entries with " << c.cancelled << " cancelled: compact only when "
            << "heap_size() > 100 and cancelled * 2 > heap_size()";
        EXPECT_EQ(queue.size(), std::size_t(c.total - c.cancelled));
    }
}
