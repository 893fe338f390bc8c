// Timing: 3 workers on 9 jobs of 100 ms take about 0.3 s, against 0.9 s with
// one worker. Real time, wide margins; the figures are printed.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "timing.hpp"
#include "worker_pool.hpp"

using aio::Coro;
using looplab::Stopwatch;

namespace {

Coro<int> nine_jobs(std::size_t workers) {
    aio::WorkerPool pool(workers, 0);
    auto job = []() -> Coro<void> { co_await aio::sleep(std::chrono::milliseconds(100)); };
    for (int i = 0; i < 9; ++i)
        co_await pool.submit("job" + std::to_string(i), job);
    std::vector<aio::JobReport> reports = co_await pool.close();
    co_return static_cast<int>(reports.size());
}

} // namespace

TEST(Timing, ThreeWorkersRunNineJobsInAThirdOfTheTime) {
    Stopwatch stopwatch;
    int alone_done = aio::run(nine_jobs(1));
    double alone = stopwatch.seconds();
    stopwatch.restart();
    int three_done = aio::run(nine_jobs(3));
    double three = stopwatch.seconds();
    looplab::report_timing("9 jobs x 100 ms: 1 worker " + looplab::fixed(alone) +
                           " s · 3 workers " + looplab::fixed(three) + " s · speedup x" +
                           looplab::fixed(alone / three, 1) + " (ideal x3)");
    EXPECT_EQ(alone_done, 9) << "ch08.pool_close: one worker ran all 9 jobs";
    EXPECT_EQ(three_done, 9) << "ch08.pool_close: three workers ran all 9 jobs";
    EXPECT_GE(alone, 0.85) << "ch08.worker: one worker runs the 9 jobs one after another";
    EXPECT_GE(three, 0.28) << "ch08.worker: 3 workers still need 3 rounds of 100 ms";
    EXPECT_GE(alone / three, 2.0) << "ch08.worker: 3 workers must be well faster than 1 (ideal x3)";
}
