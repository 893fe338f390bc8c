// Graded tests for who owns what: moved queues take their timers' handles along,
// and handles and popped callbacks outlive their queue.
#include <optional>
#include <vector>

#include "timer_test_hook.hpp"

using aio::Callback;
using aio::TimerHandle;
using aio::TimerQueue;

namespace looplab {
namespace {

TEST(TimerQueue, AMovedQueueKeepsItsTimersAndHandles) {
    std::optional<TimerQueue> source(std::in_place);
    std::vector<TimerHandle> handles;
    for (int i = 0; i < 4; ++i)
        handles.push_back(source->push(t0 + i * 1ms, [] {}));
    TimerQueue queue = std::move(*source);
    EXPECT_EQ(source->heap_size(), 0u) << "ch02.move: the moved-from queue is left empty";
    source.reset(); // the moved-from queue dies first
    handles[0].cancel();
    EXPECT_EQ(queue.size(), 3u)
        << "ch02.move: a handle cancels into the queue that now holds its timer";
    EXPECT_EQ(queue.heap_size(), 4u) << "ch02.move: the timers moved with their heap";

    TimerQueue other;
    TimerHandle dropped = other.push(t0, [] {});
    other = std::move(queue); // the assigned-to queue drops its own timer
    dropped.cancel();
    handles[1].cancel();
    EXPECT_EQ(other.size(), 2u) << "ch02.move: the assigned-to queue holds the moved timers "
                                   "only, and its old timer is no longer counted";
    EXPECT_EQ(other.heap_size(), 4u) << "ch02.move: the old timer left with the old heap";
    TimerHandle later = other.push(t0 + 9ms, [] {});
    std::uint64_t newest = other.entries().back().seq, oldest_max = 0;
    for (std::size_t i = 0; i + 1 < other.entries().size(); ++i)
        oldest_max = std::max(oldest_max, other.entries()[i].seq);
    EXPECT_GT(newest, oldest_max)
        << "ch02.move: take the seq counter along, so a push after the move gets a seq above "
           "every moved timer's (else equal deadlines lose their push order)";
    later.cancel();
    EXPECT_EQ(other.size(), 2u) << "ch02.move: a timer pushed after the move counts its cancel";
}

TEST(TimerQueue, HandlesAndCallbacksOutliveTheQueue) {
    std::vector<TimerHandle> handles;
    std::vector<Callback> out;
    int runs = 0;
    {
        TimerQueue queue;
        for (int i = 0; i < 5; ++i)
            handles.push_back(queue.push(t0 + i * 1ms, [&runs] { ++runs; }));
        handles[4].cancel();
        EXPECT_EQ(queue.pop_due(t0 + 1ms, out), 2u) << "ch02.pop_due: 0 ms and 1 ms are due";
    } // the queue is gone; its handles and the popped callbacks are not
    for (Callback& callback : out)
        callback();
    EXPECT_EQ(runs, 2) << "ch02.pop_due: a handed-out callback owns its timer and still runs";
    for (TimerHandle& handle : handles)
        handle.cancel(); // must not touch the dead queue
    EXPECT_TRUE(handles[2].cancelled()) << "ch02.cancel: a handle outliving its queue cancels";
    EXPECT_EQ(handles[3].when(), t0 + 3ms) << "ch02.cancel: and keeps its deadline";
}

} // namespace
} // namespace looplab
