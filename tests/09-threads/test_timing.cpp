// Graded timing test: a blocking call run inline stalls a 10 ms heartbeat for
// its whole length; the same call on the executor leaves it beating.
#include <gtest/gtest.h>

#include <thread>

#include "heartbeat.hpp"
#include "loop_bridge.hpp"
#include "threads_test_helpers.hpp"
#include "timing.hpp"

using aio::EventLoop;
using aio::Future;
using looplab::fixed;
using looplab::Heartbeat;
using looplab::report_timing;
using looplab::run_until_done;
using namespace std::chrono_literals;

namespace {
void blocking_call() {
    std::this_thread::sleep_for(500ms);
}

double millis(aio::Duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

// The worst lag of a 10 ms heartbeat while `work` runs, then the loop idles.
template <class Work>
double worst_lag_ms(Work work) {
    EventLoop loop;
    Heartbeat heartbeat(loop, 10ms);
    heartbeat.start();
    Future<void> done(loop);
    loop.call_later(20ms, [&] { work(loop, done); });
    run_until_done(loop, done, 10s);
    heartbeat.stop();
    return millis(heartbeat.worst_lag());
}
} // namespace

TEST(Timing, ABlockingCallOnTheExecutorKeepsTheHeartbeat) {
    double inline_lag = worst_lag_ms([](EventLoop&, Future<void>& done) {
        blocking_call(); // on the loop's thread: nothing else runs meanwhile
        done.set_result();
    });
    double executor_lag = worst_lag_ms([](EventLoop& loop, Future<void>& done) {
        Future<void> call = aio::run_in_executor(loop, nullptr, blocking_call);
        call.add_done_callback([done](Future<void>) mutable { done.set_result(); });
    });
    report_timing("heartbeat worst lag: inline " + fixed(inline_lag, 1) + " ms · executor " +
                  fixed(executor_lag, 1) + " ms · ratio x" +
                  fixed(inline_lag / std::max(executor_lag, 1.0), 1));
    EXPECT_GE(inline_lag, 400.0) << "a 500 ms call on the loop's thread delays every timer";
    EXPECT_LT(executor_lag, 100.0)
        << "ch09.settle: on the executor the heartbeat keeps beating while the call runs";
    EXPECT_GE(inline_lag, 5 * std::max(executor_lag, 1.0))
        << "the executor must cut the worst lag at least 5x (ideal: ~100x)";
}
