// Graded test for the cost model: one allocation per push, none per cancel.
// This file replaces the global operator new to count calls, for this test binary only.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <new>
#include <vector>

#include <gtest/gtest.h>

#include "clock.hpp"
#include "timers.hpp"

namespace {
std::atomic<std::size_t> allocations{0};

void* counted_malloc(std::size_t size) noexcept {
    allocations.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(size == 0 ? 1 : size);
}
} // namespace

// Every plain form, so that each new is paired with a delete that frees with free()
// (sanitizers check the pairing); the aligned forms stay the library's own.
void* operator new(std::size_t size) {
    if (void* block = counted_malloc(size)) return block;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
    return operator new(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    return counted_malloc(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    return counted_malloc(size);
}
void operator delete(void* block) noexcept {
    std::free(block);
}
void operator delete[](void* block) noexcept {
    std::free(block);
}
void operator delete(void* block, std::size_t) noexcept {
    std::free(block);
}
void operator delete[](void* block, std::size_t) noexcept {
    std::free(block);
}
void operator delete(void* block, const std::nothrow_t&) noexcept {
    std::free(block);
}
void operator delete[](void* block, const std::nothrow_t&) noexcept {
    std::free(block);
}

TEST(TimerQueue, PushAllocatesOnceCancelNever) {
    using namespace std::chrono_literals;
    constexpr std::size_t count = 1000;
    const aio::TimePoint t0 = aio::VirtualClock::start_time;
    aio::TimerQueue queue;
    std::vector<aio::TimerHandle> handles;
    handles.reserve(count);

    std::size_t before = allocations.load();
    for (std::size_t i = 0; i < count; ++i) {
        handles.push_back(queue.push(t0 + (i % 37) * 1ms, [] {})); // fits std::function's buffer
    }
    std::size_t per_push = allocations.load() - before;
    // One per timer (std::make_shared: the state and its counts in one block), plus
    // the heap vector's occasional growth (about log2(1000) = 10 times).
    EXPECT_LE(per_push, count + 16) << "push: at most one allocation per timer; use "
                                       "std::make_shared, and store small entries in the heap";

    before = allocations.load();
    for (aio::TimerHandle& handle : handles)
        handle.cancel();
    EXPECT_EQ(allocations.load() - before, 0u) << "cancel() must only mark the timer";
    EXPECT_EQ(queue.size(), 0u);
}
