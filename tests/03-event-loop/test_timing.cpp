// Timing tests (sync vs async on one thread): a blocking callback stalls every
// timer; the same work cut into slices keeps the loop responsive.
#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

#include <gtest/gtest.h>

#include "event_loop.hpp"
#include "timing.hpp"

using namespace std::chrono_literals;
using aio::EventLoop;

namespace {
double millis(aio::Duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}
} // namespace

TEST(Timing, ACallbackThatBlocks300MsDelaysA50MsTimerByAtLeast250Ms) {
    EventLoop loop;
    const aio::TimePoint armed = loop.time();
    aio::TimePoint fired{};
    loop.call_later(50ms, [&] {
        fired = loop.time();
        loop.stop();
    });
    loop.call_soon([] { std::this_thread::sleep_for(300ms); }); // blocking work, e.g. a sync read
    loop.run_forever();
    double lag = millis(fired - (armed + 50ms));
    looplab::report_timing("blocking callback 300 ms · 50 ms timer fired " +
                           looplab::fixed(lag, 0) + " ms late");
    EXPECT_GE(lag, 250.0) << "the timer cannot fire while a callback blocks the loop's thread";
}

TEST(Timing, TheSameWorkInTenSlicesKeepsA10MsHeartbeatUnder100MsLate) {
    EventLoop loop;
    double worst_lag = 0;
    int beats = 0, slices = 0;
    bool done = false;
    std::function<void(aio::TimePoint)> heartbeat = [&](aio::TimePoint due) {
        worst_lag = std::max(worst_lag, millis(loop.time() - due));
        ++beats;
        if (done) return loop.stop();
        aio::TimePoint next = loop.time() + 10ms;
        loop.call_at(next, [&, next] { heartbeat(next); });
    };
    std::function<void()> slice = [&] {
        std::this_thread::sleep_for(30ms); // a tenth of the 300 ms of work
        if (++slices < 10)
            loop.call_soon(slice); // yield: timers and I/O get a turn
        else
            done = true;
    };
    aio::TimePoint first = loop.time() + 10ms;
    loop.call_at(first, [&, first] { heartbeat(first); });
    loop.call_soon(slice);
    looplab::Stopwatch wall;
    loop.run_forever();
    looplab::report_timing("300 ms of work in ten 30 ms slices · " + std::to_string(beats) +
                           " heartbeats · worst lag " + looplab::fixed(worst_lag, 0) +
                           " ms · total " + looplab::fixed(wall.millis(), 0) + " ms");
    EXPECT_EQ(slices, 10) << "every slice of the work ran";
    EXPECT_GE(beats, 4) << "the heartbeat must keep beating while the work runs";
    EXPECT_LT(worst_lag, 100.0) << "between slices the loop runs due timers";
}
