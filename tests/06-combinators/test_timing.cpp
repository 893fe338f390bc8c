// Graded timing tests, real clock: gather overlaps the waits of its children;
// wait_for gives up on a slow operation at its deadline. Wide margins; the
// figures are printed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "combinators.hpp"
#include "timing.hpp"

using aio::Coro;
using aio::Task;
using looplab::Stopwatch;
using namespace std::chrono_literals;

namespace {

Coro<void> nap() {
    co_await aio::sleep(100ms);
}

Coro<std::size_t> gathered(int count) {
    std::vector<Task<void>> naps;
    for (int i = 0; i < count; ++i)
        naps.push_back(aio::create_task(nap()));
    std::vector<std::monostate> results = co_await aio::gather(naps);
    co_return results.size();
}

Coro<void> one_after_another(int count) {
    for (int i = 0; i < count; ++i)
        co_await nap();
}

Coro<std::string> cut_short() {
    std::string kind = "no error";
    try {
        co_await aio::wait_for(aio::sleep(10s), 100ms);
    } catch (const aio::TimeoutError&) {
        kind = "TimeoutError";
    }
    co_return kind;
}

} // namespace

TEST(Timing, GatherOfTwentySleepsTakesOneSleepNotTwenty) {
    Stopwatch watch;
    aio::run(one_after_another(20));
    double sequential = watch.seconds();
    watch.restart();
    std::size_t count = aio::run(gathered(20));
    double together = watch.seconds();
    looplab::report_timing("20 x sleep(100ms): sequential " + looplab::fixed(sequential) +
                           " s · gather " + looplab::fixed(together) + " s · speedup x" +
                           looplab::fixed(sequential / together, 0));
    EXPECT_EQ(count, 20u) << "ch06.gather_child_done: one result per child";
    EXPECT_GE(sequential, 1.9) << "the sequential run sleeps 20 x 100 ms";
    EXPECT_GE(sequential / together, 5.0)
        << "ch06.gather_child_done: gather must overlap the sleeps (ideal x20, at least x5)";
}

TEST(Timing, WaitForCutsATenSecondOperationAtAHundredMs) {
    Stopwatch watch;
    std::string kind = aio::run(cut_short());
    double seconds = watch.seconds();
    looplab::report_timing("wait_for(sleep(10 s), 100 ms): gave up after " +
                           looplab::fixed(seconds) + " s (x" + looplab::fixed(10.0 / seconds, 0) +
                           " sooner than waiting)");
    EXPECT_EQ(kind, "TimeoutError") << "ch06.wait_for: the deadline passes first: TimeoutError";
    EXPECT_GE(seconds, 0.09) << "ch06.timeout_expire: not before the deadline";
    EXPECT_LT(seconds, 1.0)
        << "ch06.timeout_expire: cut at 100 ms, far from the 10 s of the operation";
}
