// Graded test for the cost model: one allocation per push, none per cancel
// (allocations counted by tests/support/count_allocations.hpp).
#include <chrono>
#include <vector>

#include <gtest/gtest.h>

#include "clock.hpp"
#include "count_allocations.hpp"
#include "timers.hpp"

TEST(TimerQueue, PushAllocatesOnceCancelNever) {
    using namespace std::chrono_literals;
    constexpr std::size_t count = 1000;
    const aio::TimePoint t0 = aio::VirtualClock::start_time;
    aio::TimerQueue queue;
    std::vector<aio::TimerHandle> handles;
    handles.reserve(count);
#ifdef LOOPLAB_SANITIZED
    ASSERT_TRUE(hooks_installed) << "the sanitizer took no malloc hook: nothing is counted";
#endif
    std::size_t probe_before = allocations.load();
    auto probe = std::make_unique<int>(1); // the counter itself must see an allocation
    ASSERT_GT(allocations.load(), probe_before) << "the allocation counter does not count";

    std::size_t before = allocations.load();
    for (std::size_t i = 0; i < count; ++i) {
        handles.push_back(queue.push(t0 + (i % 37) * 1ms, [] {})); // fits std::function's buffer
    }
    std::size_t per_push = allocations.load() - before;
    // One per timer (std::make_shared: the state and its counts in one block), plus
    // the heap vector's occasional growth (about log2(1000) = 10 times).
    EXPECT_LE(per_push, count + 16) << "ch02.push: at most one allocation per timer: one "
                                       "std::make_shared for the state and its counts";

    // The first cancel outside the count: what runs once per process (make probe's
    // instrumentation records the region it reached) is no cost of cancel().
    handles.front().cancel();
    before = allocations.load();
    for (aio::TimerHandle& handle : handles)
        handle.cancel();
    EXPECT_EQ(allocations.load() - before, 0u)
        << "ch02.cancel: cancel() only marks the timer and counts it";
    EXPECT_EQ(queue.size(), 0u) << "ch02.cancel: every timer was cancelled";
}
