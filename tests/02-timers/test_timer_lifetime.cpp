// Graded tests for who owns what: handles that outlive their queue, moved queues.
#include <chrono>
#include <memory>
#include <optional>
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
} // namespace

TEST(TimerQueue, HandlesOutliveTheQueue) {
    std::vector<TimerHandle> handles;
    std::vector<Callback> out;
    int runs = 0;
    {
        TimerQueue queue;
        for (int i = 0; i < 5; ++i)
            handles.push_back(queue.push(t0 + i * 1ms, [&runs] { ++runs; }));
        handles[4].cancel();
        EXPECT_EQ(queue.pop_due(t0 + 1ms, out), 2u);
    } // the queue is gone; its handles and the popped callbacks are not
    for (Callback& callback : out)
        callback();
    EXPECT_EQ(runs, 2) << "popped callbacks own their timer and still run";
    for (TimerHandle& handle : handles)
        handle.cancel(); // must not touch the dead queue
    EXPECT_TRUE(handles[2].cancelled());
    EXPECT_EQ(handles[3].when(), t0 + 3ms);
}

TEST(TimerQueue, AMovedQueueKeepsItsTimersAndHandles) {
    std::optional<TimerQueue> source(std::in_place);
    std::vector<TimerHandle> handles;
    for (int i = 0; i < 4; ++i)
        handles.push_back(source->push(t0 + i * 1ms, [] {}));
    TimerQueue queue = std::move(*source);
    source.reset(); // the moved-from queue dies first
    handles[0].cancel();
    EXPECT_EQ(queue.size(), 3u) << "a handle cancels into the queue that now holds its timer";
    EXPECT_EQ(queue.next_deadline(), t0 + 1ms);

    TimerQueue other;
    TimerHandle dropped = other.push(t0, [] {});
    other = std::move(queue); // the assigned-to queue drops its own timer
    dropped.cancel();
    handles[1].cancel();
    EXPECT_EQ(other.size(), 2u) << "the assigned-to queue now holds the moved timers only";
    std::vector<Callback> out;
    EXPECT_EQ(other.pop_due(t0 + 1s, out), 2u);
}
