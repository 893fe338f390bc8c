// The loop-lag monitor on the virtual clock: an idle loop has no lag; a
// blocking callback shows up once, as exactly how late the next beat ran.
#include <gtest/gtest.h>

#include <thread>

#include "debugging.hpp"
#include "timing.hpp"
#include "virtual_loop.hpp"

using namespace looplab;
using aio::LagMonitor;

namespace {

long ms(aio::Duration d) {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

// Runs the loop until `until` of virtual time has passed since it started.
void run_until(VirtualLoop& v, aio::Duration until) {
    v.loop.call_at(aio::VirtualClock::start_time + until, [&v] { v.loop.stop(); });
    v.loop.run_forever();
}

} // namespace

TEST(LagMonitor, BeforeTheFirstBeatEveryFigureIsZero) {
    VirtualLoop v;
    LagMonitor lag(v.loop, 10ms);
    EXPECT_EQ(lag.samples(), 0u) << "ch13.lag_stats: no beat yet";
    EXPECT_EQ(ms(lag.p50()), 0) << "ch13.lag_stats: p50 before the first beat is zero, no error";
    EXPECT_EQ(ms(lag.p99()), 0) << "ch13.lag_stats: p99 before the first beat is zero, no error";
    EXPECT_EQ(ms(lag.max()), 0) << "ch13.lag_stats: max before the first beat is zero, no error";
}

TEST(LagMonitor, AnIdleLoopBeatsOnTimeEveryInterval) {
    VirtualLoop v;
    LagMonitor lag(v.loop, 10ms);
    run_until(v, 105ms);
    EXPECT_EQ(lag.samples(), 10u)
        << "ch13.lag_beat: beats at 10, 20, ..., 100 ms: one sample per beat";
    EXPECT_EQ(ms(lag.max()), 0) << "ch13.lag_beat: on an idle virtual loop every beat is on time";
}

TEST(LagMonitor, ABlockingCallbackIsOneLateBeatNotABurst) {
    VirtualLoop v;
    LagMonitor lag(v.loop, 10ms);
    // At 35 ms a callback "blocks" for 100 ms: the clock jumps to 135 ms.
    v.loop.call_later(35ms, [&v] { v.clock.advance(100ms); });
    run_until(v, 200ms);
    EXPECT_EQ(ms(lag.max()), 95)
        << "ch13.lag_beat: the beat due at 40 ms ran at 135 ms: a lag of 95 ms (ch13.lag_stats: "
           "max is the largest lag, whichever beat had it)";
    EXPECT_EQ(lag.samples(), 10u)
        << "ch13.lag_beat: beats at 10, 20, 30, then 135 (late), then one interval after it "
           "ran: 145, 155, ..., 195. A beat asked for one interval after its due time would "
           "find itself late again and again, a burst of catch-up beats";
    EXPECT_EQ(ms(lag.p50()), 0)
        << "ch13.lag_beat, ch13.lag_stats: nine beats on time, one late: p50 is 0";
    EXPECT_EQ(ms(lag.p99()), 95)
        << "ch13.lag_stats: p99 of ten samples is the largest, on the SORTED lags";
}

TEST(LagMonitor, StopEndsTheBeatsAndKeepsTheSamples) {
    VirtualLoop v;
    LagMonitor lag(v.loop, 10ms);
    v.loop.call_later(25ms, [&lag] { lag.stop(); });
    run_until(v, 100ms);
    EXPECT_EQ(lag.samples(), 2u) << "ch13.lag_beat: two beats (10, 20 ms) before stop at 25 ms";
    EXPECT_THROW(LagMonitor(v.loop, 0ms), aio::ValueError)
        << "LagMonitor (given): an interval of zero is a ValueError";
}

TEST(LagMonitor, ARealBlockingCallShowsAsLag) {
    aio::EventLoop loop;
    LagMonitor lag(loop, 10ms);
    loop.call_later(30ms, [] { std::this_thread::sleep_for(200ms); }); // a blocking call
    loop.call_later(400ms, [&loop] { loop.stop(); });
    loop.run_forever();
    std::printf("  lag: p50 %.1f ms, p99 %.1f ms, max %.1f ms over %zu beats\n",
                std::chrono::duration<double, std::milli>(lag.p50()).count(),
                std::chrono::duration<double, std::milli>(lag.p99()).count(),
                std::chrono::duration<double, std::milli>(lag.max()).count(), lag.samples());
    EXPECT_GE(ms(lag.max()), 150)
        << "ch13.lag_beat: a 200 ms blocking call delays the next beat by most of it";
    EXPECT_LT(lag.samples(), 40u) << "ch13.lag_beat: about 20 beats in 400 ms, not a burst";
    EXPECT_LE(ms(lag.p50()), 50) << "ch13.lag_beat: most beats are on time";
}
