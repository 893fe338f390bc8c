// Graded tests for the heap's private steps, one exercise at a time, through the
// test-only hook: the order earlier(), sift_up, sift_down, pop_top, compaction.
// And the given death test: a broken heap makes the debug assert fire.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "timer_test_hook.hpp"

using aio::TimerQueue;
using Hook = aio::TimerQueueTestHook;
using Entry = aio::TimerQueue::Entry;

namespace looplab {
namespace {

std::string describe(const std::vector<Entry>& heap) {
    std::string text;
    for (const Entry& entry : heap)
        text += " " + std::to_string((entry.when - t0) / 1ms) + "#" + std::to_string(entry.seq);
    return text;
}

TEST(HeapSteps, EarlierComparesDeadlinesThenPushOrder) {
    TimerQueue queue;
    Entry early = Hook::make_entry(queue, t0 + 5ms, 7);
    Entry late = Hook::make_entry(queue, t0 + 9ms, 1);
    Entry tie_first = Hook::make_entry(queue, t0 + 5ms, 3);
    EXPECT_TRUE(Hook::earlier(early, late)) << "ch02.earlier: 5 ms comes before 9 ms";
    EXPECT_FALSE(Hook::earlier(late, early)) << "ch02.earlier: 9 ms does not come before 5 ms, "
                                                "even with a smaller seq";
    EXPECT_TRUE(Hook::earlier(tie_first, early))
        << "ch02.earlier: equal deadlines go by seq, the push order (3 before 7)";
    EXPECT_FALSE(Hook::earlier(early, tie_first))
        << "ch02.earlier: equal deadlines go by seq, the push order (7 after 3)";
    EXPECT_FALSE(Hook::earlier(early, early))
        << "ch02.earlier: an entry is not earlier than itself (a strict order)";
}

TEST(HeapSteps, SiftUpRaisesAnAppendedEntryToItsPlace) {
    std::mt19937 random(5);
    TimerQueue queue;
    for (std::uint64_t seq = 0; seq < 300; ++seq) {
        Hook::append(queue, t0 + (random() % 40) * 1ms, seq); // many ties
        Hook::sift_up(queue, Hook::heap(queue).size() - 1);
        ASSERT_TRUE(is_heap(Hook::heap(queue)))
            << "ch02.sift_up: after appending entry " << seq << " and sifting it up, some entry "
            << "is earlier than its parent (i - 1) / 2; heap:" << describe(Hook::heap(queue));
    }
    // A new earliest entry must travel all the way to the root.
    Hook::append(queue, t0 - 1ms, 300);
    Hook::sift_up(queue, Hook::heap(queue).size() - 1);
    EXPECT_EQ(Hook::heap(queue).front().seq, 300u)
        << "ch02.sift_up: the earliest entry must rise to index 0";
    // A tie with the root does not pass it: the earlier push stays on top.
    Hook::append(queue, t0 - 1ms, 301);
    Hook::sift_up(queue, Hook::heap(queue).size() - 1);
    EXPECT_EQ(Hook::heap(queue).front().seq, 300u)
        << "ch02.sift_up: an equal deadline pushed later must stay below the root";
    EXPECT_TRUE(is_heap(Hook::heap(queue))) << "ch02.sift_up: heap order after the ties";
}

TEST(HeapSteps, SiftDownSinksALateRootBelowTheEarlierChild) {
    std::mt19937 random(11);
    for (int round = 0; round < 200; ++round) {
        TimerQueue queue;
        std::vector<Entry> entries;
        int count = 2 + round % 40;
        for (int i = 0; i < count; ++i)
            entries.push_back(Hook::make_entry(queue, t0 + (random() % 25) * 1ms, i));
        // A sorted array is a heap; then its root is replaced by a random entry.
        std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
            return std::pair(a.when, a.seq) < std::pair(b.when, b.seq);
        });
        entries.front() = Hook::make_entry(queue, t0 + (random() % 30) * 1ms, 100);
        Hook::set_heap(queue, entries);
        Hook::sift_down(queue, 0);
        ASSERT_TRUE(is_heap(Hook::heap(queue)))
            << "ch02.sift_down: after sifting the root down, some entry is earlier than its "
            << "parent (swap with the EARLIER child, stop at the end of the array); heap:"
            << describe(Hook::heap(queue));
        ASSERT_EQ(Hook::heap(queue).size(), std::size_t(count))
            << "ch02.sift_down: sifting moves entries, it never adds or drops one";
    }
}

TEST(HeapSteps, PopTopTakesTheEarliestAndDetachesIt) {
    std::mt19937 random(3);
    TimerQueue queue;
    std::vector<aio::TimerHandle> handles;
    for (int i = 0; i < 500; ++i)
        handles.push_back(queue.push(t0 + (random() % 60) * 1ms, [] {}));
    for (int i = 0; i < 500; i += 4)
        handles[i].cancel();
    std::vector<std::pair<aio::TimePoint, bool>> popped;
    while (queue.heap_size() > 0) {
        std::size_t cancelled_before = Hook::cancelled_count(queue);
        std::shared_ptr<aio::detail::TimerState> state = Hook::pop_top(queue);
        ASSERT_NE(state, nullptr) << "ch02.pop_top: return the state of the timer you removed";
        EXPECT_EQ(state->queue, nullptr)
            << "ch02.pop_top: a popped timer left the heap: set its state->queue to nullptr";
        EXPECT_EQ(Hook::cancelled_count(queue), cancelled_before - (state->cancelled ? 1 : 0))
            << "ch02.pop_top: popping a cancelled entry must lower cancelled_ by one, popping a "
               "live one must not change it";
        ASSERT_TRUE(is_heap(Hook::heap(queue)))
            << "ch02.pop_top: after the pop the rest must still be a heap (sift_down(0))";
        popped.emplace_back(state->when, state->cancelled);
    }
    ASSERT_EQ(popped.size(), 500u) << "ch02.pop_top: each pop removes exactly one entry";
    EXPECT_TRUE(std::is_sorted(popped.begin(), popped.end(), [](const auto& a, const auto& b) {
        return a.first < b.first;
    })) << "ch02.pop_top: entries must come off the top earliest first";
    EXPECT_EQ(queue.size(), 0u) << "ch02.pop_top: nothing is left, live or cancelled";
    handles[1].cancel(); // popped already: must not count
    EXPECT_EQ(Hook::cancelled_count(queue), 0u)
        << "ch02.pop_top: cancelling a popped timer must not count it (detach it when popped)";
}

TEST(HeapSteps, CompactDropsTheCancelledOnlyAboveAHundredAndHalf) {
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
        {300, 290, 10}, // nearly all
    };
    for (const Case& c : cases) {
        TimerQueue queue;
        std::vector<aio::TimerHandle> handles = push_spaced(queue, c.total);
        std::vector<int> victims(c.total); // spread over the heap, the top included
        for (int i = 0; i < c.total; ++i)
            victims[i] = i;
        std::shuffle(victims.begin(), victims.end(), std::mt19937(c.total));
        for (int i = 0; i < c.cancelled; ++i)
            handles[victims[i]].cancel();
        ASSERT_EQ(queue.size(), std::size_t(c.total - c.cancelled))
            << "ch02.cancel: each cancel counts once";
        std::vector<std::shared_ptr<aio::detail::TimerState>> states;
        for (const Entry& entry : queue.entries())
            states.push_back(entry.state);
        Hook::compact(queue);
        bool compacted = queue.heap_size() < std::size_t(c.total);
        const char* detached = compacted ? "a timer compacted away must be detached "
                                           "(state->queue = nullptr), as pop_top detaches"
                                         : "below the rule nothing changes";
        for (const auto& state : states) {
            if (!state->cancelled) continue;
            ASSERT_EQ(state->queue, compacted ? nullptr : &queue) << "ch02.compact: " << detached;
        }
        EXPECT_EQ(queue.heap_size(), c.heap_after)
            << "ch02.compact: " << c.total << " entries with " << c.cancelled << " cancelled: "
            << "rebuild only when heap_size() > 100 and cancelled * 2 > heap_size()";
        EXPECT_EQ(queue.size(), std::size_t(c.total - c.cancelled))
            << "ch02.compact: compaction drops cancelled timers only, never a live one";
        EXPECT_TRUE(is_heap(queue.entries()))
            << "ch02.compact: erasing entries breaks the heap order: heapify afterwards";
        for (const Entry& entry : queue.entries())
            ASSERT_EQ(entry.state->queue, &queue) << "ch02.compact: live entries stay queued";
        for (int i = 0; i < c.total; ++i) // cancels of what was compacted away do not count
            handles[i].cancel();
        EXPECT_EQ(queue.size(), 0u) << "ch02.compact: every timer is cancelled now";
        EXPECT_EQ(queue.heap_size() - queue.size(), Hook::cancelled_count(queue))
            << "ch02.compact: cancelled_ counts the cancelled entries still in the heap";
    }
}

// Given (0 points): the debug check the queue runs before each public operation.
TEST(TimerQueueDeathTest, BrokenHeapOrderFiresTheAssert) {
#ifdef NDEBUG
    GTEST_SKIP() << "assert() is compiled out (NDEBUG): nothing to see";
#else
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    auto break_and_use = [] {
        TimerQueue queue;
        Hook::append(queue, t0 + 9ms, 0); // the root is later than its child:
        Hook::append(queue, t0 + 1ms, 1); // no sift, so the order is broken
        queue.next_deadline();
    };
    EXPECT_DEATH(break_and_use(), "heap order broken")
        << "check_invariants() must assert the heap order before each public operation";
#endif
}

} // namespace
} // namespace looplab
