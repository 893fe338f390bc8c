// Graded tests for the clocks: the virtual clock moves exactly when told, the steady one by itself.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "clock.hpp"

using namespace std::chrono_literals;
using aio::TimePoint;
using aio::VirtualClock;

TEST(VirtualClock, StartsFixedAndAdvancesExactly) {
    VirtualClock clock;
    EXPECT_EQ(clock.now(), VirtualClock::start_time) << "a new virtual clock reads start_time";
    EXPECT_EQ(VirtualClock{}.now(), clock.now())
        << "ch02.advance: every virtual clock starts at the same time";
    EXPECT_NE(clock.now(), TimePoint{}) << "the start is fixed but not zero";
    clock.advance(1500ms);
    EXPECT_EQ(clock.now(), VirtualClock::start_time + 1500ms) << "ch02.advance: moves by exactly d";
    clock.advance(1ns);
    clock.advance(0ns);
    EXPECT_EQ(clock.now(), VirtualClock::start_time + 1500ms + 1ns)
        << "ch02.advance: moves it by exactly d, even 1 ns";
    EXPECT_THROW(clock.advance(-1ms), aio::ValueError)
        << "ch02.advance: a negative d is an aio::ValueError";
    EXPECT_EQ(clock.now(), VirtualClock::start_time + 1500ms + 1ns)
        << "ch02.advance: a refused advance must not move the clock";
}

TEST(VirtualClock, AdvanceToJumpsForwardNeverBack) {
    VirtualClock clock(TimePoint{} + 5s);
    EXPECT_EQ(clock.now(), TimePoint{} + 5s) << "a clock built at a time starts there";
    clock.advance_to(TimePoint{} + 7s);
    EXPECT_EQ(clock.now(), TimePoint{} + 7s)
        << "ch02.advance: advance_to lands exactly on the deadline";
    clock.advance_to(TimePoint{} + 6s);
    EXPECT_EQ(clock.now(), TimePoint{} + 7s)
        << "ch02.advance: a deadline in the past leaves the clock alone";
    clock.advance(1s);
    EXPECT_EQ(clock.now(), TimePoint{} + 8s) << "ch02.advance: moves by exactly d";
}

TEST(ClockSource, SteadyMovesByItselfVirtualOnlyWhenTold) {
    aio::SteadyClock steady;
    VirtualClock manual;
    const aio::ClockSource& real = steady; // the loop sees either clock through
    const aio::ClockSource& virt = manual; // this one interface
    TimePoint real_before = real.now();
    TimePoint virtual_before = virt.now();
    TimePoint last = real_before;
    for (int i = 0; i < 10000; ++i) {
        TimePoint now = real.now();
        ASSERT_GE(now, last) << "the steady clock must never go back";
        last = now;
    }
    std::this_thread::sleep_for(2ms);
    EXPECT_GE(real.now() - real_before, 1ms) << "the steady clock moves by itself";
    EXPECT_EQ(virt.now(), virtual_before)
        << "ch02.advance: the virtual clock does not move by itself";
    manual.advance(250ms);
    EXPECT_EQ(virt.now(), virtual_before + 250ms) << "ch02.advance: it moves when told, exactly";
}
