// Helpers shared by the chapter 02 tests, and the test-only hook that reaches
// TimerQueue's private steps (earlier, sift_up, sift_down, pop_top, compaction)
// one at a time, so that each exercise is graded on its own.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "clock.hpp"
#include "timers.hpp"

namespace aio {

// Declared a friend in timers.hpp; defined here, in the tests only.
struct TimerQueueTestHook {
    using Entry = TimerQueue::Entry;

    static bool earlier(const Entry& a, const Entry& b) { return TimerQueue::earlier(a, b); }

    // An entry as push() builds it, not yet in any heap.
    static Entry make_entry(TimerQueue& queue, TimePoint when, std::uint64_t seq) {
        return Entry{when, seq,
                     std::make_shared<detail::TimerState>(
                         when, [] {}, &queue)};
    }

    // Appends at the end of the heap array, as push() does before it sifts.
    static void append(TimerQueue& queue, TimePoint when, std::uint64_t seq) {
        queue.heap_.push_back(make_entry(queue, when, seq));
    }
    // Replaces the heap array whole (the entries must point at `queue`).
    static void set_heap(TimerQueue& queue, std::vector<Entry> entries) {
        queue.heap_ = std::move(entries);
    }
    static std::vector<Entry>& heap(TimerQueue& queue) { return queue.heap_; }

    static void sift_up(TimerQueue& queue, std::size_t index) { queue.sift_up(index); }
    static void sift_down(TimerQueue& queue, std::size_t index) { queue.sift_down(index); }
    static std::shared_ptr<detail::TimerState> pop_top(TimerQueue& queue) {
        return queue.pop_top();
    }
    static void compact(TimerQueue& queue) { queue.compact_if_mostly_cancelled(); }
    static std::size_t cancelled_count(const TimerQueue& queue) { return queue.cancelled_; }
};

} // namespace aio

namespace looplab {

using namespace std::chrono_literals;

// Fixed times: every test reads the same clock start, never the real time.
inline const aio::TimePoint t0 = aio::VirtualClock::start_time;

// Runs what pop_due handed out, as the loop's ready queue would.
inline void run_all(std::vector<aio::Callback>& callbacks) {
    for (aio::Callback& callback : callbacks)
        callback();
    callbacks.clear();
}

// Pushes a timer that records `id` into `fired` when it runs.
inline aio::TimerHandle push_recording(aio::TimerQueue& queue, aio::TimePoint when, int id,
                                       std::vector<int>& fired) {
    return queue.push(when, [&fired, id] { fired.push_back(id); });
}

// Pops and runs everything due at `now`; returns the ids in the order they ran.
inline std::vector<int> fire_due(aio::TimerQueue& queue, aio::TimePoint now,
                                 std::vector<int>& fired) {
    fired.clear();
    std::vector<aio::Callback> out;
    queue.pop_due(now, out);
    run_all(out);
    return fired;
}

// The heap invariant over an array of entries: no entry is earlier than its parent.
inline bool is_heap(const std::vector<aio::TimerQueue::Entry>& heap) {
    for (std::size_t i = 1; i < heap.size(); ++i) {
        const aio::TimerQueue::Entry& parent = heap[(i - 1) / 2];
        if (std::pair(heap[i].when, heap[i].seq) < std::pair(parent.when, parent.seq)) return false;
    }
    return true;
}

// `total` timers at t0 + 1 ms, + 2 ms, ..., pushed in a shuffled order (so the
// heap array is not simply sorted); returns their handles in deadline order.
inline std::vector<aio::TimerHandle> push_spaced(aio::TimerQueue& queue, int total) {
    std::vector<int> order(total);
    for (int i = 0; i < total; ++i)
        order[i] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937(42));
    std::vector<aio::TimerHandle> handles(total);
    for (int i : order)
        handles[i] = queue.push(t0 + (i + 1) * 1ms, [] {});
    return handles;
}

// Cancels the `n` latest timers: the top stays live, so dropping cancelled tops
// removes nothing and any shrinking of the heap is compaction.
inline void cancel_latest(std::vector<aio::TimerHandle>& handles, int n) {
    for (int i = 0; i < n; ++i)
        handles[handles.size() - 1 - i].cancel();
}

} // namespace looplab
