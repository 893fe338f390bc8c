// Graded tests: timers inside the loop, on the VirtualClock (exact time, no sleeping).
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "event_loop.hpp"
#include "loop_test_helpers.hpp"
#include "timing.hpp"

using namespace std::chrono_literals;
using aio::EventLoop;

TEST(LoopTimers, AZeroDelayTimerArmedInATimerWaitsForTheNextPass) {
    aio::VirtualClock clock;
    EventLoop loop({.clock = &clock});
    std::vector<std::string> ran;
    loop.call_later(0s, [&] {
        ran.push_back("outer");
        loop.call_later(0s, [&] { ran.push_back("inner"); });
    });
    loop.run_once();
    EXPECT_EQ(ran, (std::vector<std::string>{"outer"}))
        << "due timers are collected before the callbacks run; a timer armed by one of them "
           "waits for the next pass";
    loop.run_once();
    EXPECT_EQ(ran, (std::vector<std::string>{"outer", "inner"}))
        << "ch03.queue_due_timers: the timer armed in pass 1 fires in pass 2";
}

TEST(LoopTimers, AnHourLongTimerFiresAtOnceOnTheVirtualClock) {
    aio::VirtualClock clock;
    EventLoop loop({.clock = &clock});
    const aio::TimePoint t0 = loop.time();
    aio::TimePoint fired_at{};
    looplab::Stopwatch wall;
    loop.call_later(1h, [&] {
        fired_at = loop.time();
        loop.stop();
    });
    looplab::Watchdog watchdog(loop, 5s);
    loop.run_forever();
    EXPECT_EQ(watchdog.rescues(), 0) << "the idle loop must jump virtual time, not sleep";
    EXPECT_EQ(fired_at - t0, aio::Duration(1h)) << "time() advanced by exactly one hour";
    EXPECT_EQ(loop.time() - t0, aio::Duration(1h))
        << "ch03.poll_io: the clock stands at exactly one hour after the start";
    EXPECT_LT(wall.seconds(), 1.0) << "an hour of virtual time takes no real time";
}

TEST(LoopTimers, VirtualTimeJumpsExactlyToTheEarliestLiveDeadline) {
    aio::VirtualClock clock;
    EventLoop loop({.clock = &clock});
    const aio::TimePoint t0 = loop.time();
    std::vector<std::pair<std::string, aio::Duration>> fired;
    auto record = [&](std::string name) {
        return [&fired, &loop, t0, name] { fired.emplace_back(name, loop.time() - t0); };
    };
    aio::TimerHandle cancelled = loop.call_later(10s, record("cancelled"));
    loop.call_later(30s, record("30 s"));
    loop.call_at(t0 + 20s, record("20 s"));
    loop.call_later(20s, record("20 s, second"));
    cancelled.cancel();
    bool busy_ran = false;
    loop.call_soon([&] { busy_ran = true; });
    loop.run_once();
    EXPECT_TRUE(busy_ran) << "the ready callback runs in pass 1";
    EXPECT_EQ(loop.time(), t0) << "no jump while callbacks are ready (the timeout is 0)";
    loop.run_once();
    ASSERT_EQ(fired.size(), 2u) << "one jump to 20 s fires both 20 s timers, in push order";
    EXPECT_EQ(fired[0], std::make_pair(std::string("20 s"), aio::Duration(20s)))
        << "jump exactly to the earliest LIVE deadline: the cancelled 10 s one does not count";
    EXPECT_EQ(fired[1].first, "20 s, second")
        << "ch03.queue_due_timers: equal deadlines fire in push order";
    loop.run_once();
    ASSERT_EQ(fired.size(), 3u) << "ch03.poll_io: the next pass jumps to the 30 s timer";
    EXPECT_EQ(fired[2], std::make_pair(std::string("30 s"), aio::Duration(30s)))
        << "ch03.poll_io: jump exactly to 30 s";
}

TEST(LoopTimers, NoVirtualJumpWhileIoIsReady) {
    aio::VirtualClock clock;
    EventLoop loop({.clock = &clock});
    looplab::SocketPair pair;
    const aio::TimePoint t0 = loop.time();
    bool timer_fired = false;
    std::string got;
    loop.call_later(5s, [&] { timer_fired = true; });
    loop.add_reader(pair.left(), [&] { got += pair.read_left(); });
    pair.send_to_left("ping");
    loop.run_once();
    EXPECT_EQ(got, "ping") << "ch03.queue_io_callbacks: the reader gets the data in pass 1";
    EXPECT_FALSE(timer_fired) << "I/O was ready: this pass must not jump to the timer";
    EXPECT_EQ(loop.time(), t0) << "ch03.poll_io: I/O was ready: virtual time must not move";
    loop.remove_reader(pair.left());
    loop.run_once();
    EXPECT_TRUE(timer_fired) << "ch03.poll_io: with I/O quiet, the next pass jumps to the timer";
    EXPECT_EQ(loop.time() - t0, aio::Duration(5s))
        << "ch03.poll_io: the jump lands exactly on the 5 s deadline";
}

TEST(LoopTimers, CallLaterArmsATimerAtTheLoopsTimePlusTheDelay) {
    aio::VirtualClock clock;
    EventLoop loop({.clock = &clock});
    auto captured = std::make_shared<int>(0);
    aio::TimerHandle handle = loop.call_later(5s, [captured] {});
    EXPECT_EQ(handle.when(), loop.time() + 5s)
        << "ch03.call_at: call_later(d) is call_at(time() + d)";
    EXPECT_EQ(captured.use_count(), 2) << "ch03.call_at: the timer queue holds the callback";
    EXPECT_EQ(loop.call_at(loop.time() + 1s, [] {}).when(), loop.time() + 1s)
        << "ch03.call_at: the timer is armed for exactly when";
    EXPECT_THROW(loop.call_at(loop.time(), aio::Callback{}), aio::ValueError)
        << "ch03.call_at: an empty callback is a ValueError (the timer queue refuses it)";
    loop.close();
    EXPECT_THROW(loop.call_later(1s, [] {}), aio::RuntimeError)
        << "ch03.call_at: a closed loop refuses new timers";
}
