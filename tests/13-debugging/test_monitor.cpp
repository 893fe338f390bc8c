// The performance monitor: nearest-rank percentiles, exact stats on a known
// sample, monitored() timing runs on the virtual clock, the table and JSON.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "debugging.hpp"
#include "virtual_loop.hpp"

using namespace looplab;
using aio::Coro;
using aio::Duration;
using aio::Monitor;

namespace {

std::vector<Duration> ms_range(int from, int to) {
    std::vector<Duration> sample;
    for (int i = from; i <= to; ++i)
        sample.push_back(std::chrono::milliseconds(i));
    return sample;
}

long ms(Duration d) {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

// Sleeps `delay`, then returns `value`, or throws when `value` is negative.
Coro<int> job(Duration delay, int value) {
    co_await aio::sleep(delay);
    if (value < 0) throw std::runtime_error("job failed");
    co_return value;
}

Coro<void> idle(Duration delay) {
    co_await aio::sleep(delay);
}

// Runs each of `delays` under monitor.monitored("job", ...), one after another,
// and returns the sum of their values; the last one fails when `fail_last`.
Coro<int> run_jobs(Monitor& monitor, std::vector<int> delays_ms, bool fail_last) {
    int sum = 0;
    for (std::size_t i = 0; i < delays_ms.size(); ++i) {
        const bool fail = fail_last && i + 1 == delays_ms.size();
        try {
            sum += co_await monitor.monitored(
                "job", job(std::chrono::milliseconds(delays_ms[i]), fail ? -1 : delays_ms[i]));
        } catch (const std::runtime_error&) {
            sum += 1000;
        }
    }
    co_return sum;
}

} // namespace

TEST(Percentile, NearestRankOnAKnownSample) {
    const std::vector<Duration> hundred = ms_range(1, 100);
    EXPECT_EQ(ms(aio::percentile(hundred, 50)), 50)
        << "ch13.percentile: p50 of 1..100 ms is 50 ms (rank 50, counted from 1)";
    EXPECT_EQ(ms(aio::percentile(hundred, 99)), 99) << "ch13.percentile: p99 of 1..100 ms is 99 ms";
    EXPECT_EQ(ms(aio::percentile(hundred, 100)), 100)
        << "ch13.percentile: p100 is the largest value";
    EXPECT_EQ(ms(aio::percentile(hundred, 1)), 1) << "ch13.percentile: p1 of 1..100 ms is 1 ms";
    const std::vector<Duration> three = {std::chrono::milliseconds(10),
                                         std::chrono::milliseconds(20),
                                         std::chrono::milliseconds(30)};
    EXPECT_EQ(ms(aio::percentile(three, 50)), 20)
        << "ch13.percentile: p50 of 10, 20, 30 is 20 (rank ceil(1.5) = 2)";
    EXPECT_EQ(ms(aio::percentile(three, 99)), 30)
        << "ch13.percentile: p99 of 10, 20, 30 is 30 (rank ceil(2.97) = 3)";
    EXPECT_EQ(ms(aio::percentile(three, 34)), 20)
        << "ch13.percentile: p34 of three values is the second (rank ceil(1.02) = 2)";
    EXPECT_EQ(ms(aio::percentile(ms_range(7, 7), 1)), 7)
        << "ch13.percentile: every percentile of one value is that value";
}

TEST(Percentile, AnEmptySampleOrABadPercentIsAValueError) {
    EXPECT_THROW(aio::percentile({}, 50), aio::ValueError)
        << "percentile (given): an empty sample has no percentile";
    EXPECT_THROW(aio::percentile(ms_range(1, 3), 0), aio::ValueError)
        << "percentile (given): 0 is not a percent of 1..100";
    EXPECT_THROW(aio::percentile(ms_range(1, 3), 101), aio::ValueError)
        << "percentile (given): 101 is not a percent of 1..100";
}

TEST(Monitor, StatsAreExactOnAKnownSampleRecordedOutOfOrder) {
    Monitor monitor;
    std::vector<Duration> sample = ms_range(1, 100);
    // Recorded in a shuffled order: 37, 74, 11, ... (37 is prime to 101).
    for (int i = 1; i <= 100; ++i)
        monitor.record("fetch", sample[static_cast<std::size_t>(i * 37 % 101 - 1)], i % 10 == 0);
    const aio::Stats s = monitor.stats("fetch");
    EXPECT_EQ(s.count, 100u)
        << "ch13.record, ch13.stats: count is the number of runs recorded under the name";
    EXPECT_EQ(s.failures, 10u)
        << "ch13.record, ch13.stats: failures are the runs recorded as failed, and only those";
    EXPECT_EQ(ms(s.total), 5050)
        << "ch13.record, ch13.stats: total is the sum of 1..100 ms, every run kept";
    EXPECT_EQ(s.mean, std::chrono::microseconds(50500)) << "ch13.stats: mean is total / count";
    EXPECT_EQ(ms(s.min), 1) << "ch13.stats: min is the shortest run";
    EXPECT_EQ(ms(s.max), 100) << "ch13.stats: max is the longest run";
    EXPECT_EQ(ms(s.p50), 50)
        << "ch13.stats: p50 of 1..100 ms is 50 ms: the percentiles are taken on the SORTED "
           "sample, whatever the order the runs were recorded in";
    EXPECT_EQ(ms(s.p99), 99) << "ch13.stats: p99 of 1..100 ms is 99 ms, on the sorted sample";
}

TEST(Monitor, RecordCreatesOneRecordPerName) {
    Monitor monitor;
    EXPECT_TRUE(monitor.names().empty()) << "ch13.record: a new monitor has no record";
    monitor.record("fetch", std::chrono::milliseconds(5), false);
    monitor.record("connect", std::chrono::milliseconds(7), true);
    monitor.record("fetch", std::chrono::milliseconds(3), false);
    EXPECT_EQ((monitor.names()), (std::vector<std::string>{"connect", "fetch"}))
        << "ch13.record: each name's first run creates its record, later runs join it";
}

TEST(Monitor, EachNameHasItsOwnStatsAndAnUnknownNameIsAKeyError) {
    Monitor monitor;
    monitor.record("b", std::chrono::milliseconds(5), false);
    monitor.record("a", std::chrono::milliseconds(7), true);
    monitor.record("b", std::chrono::milliseconds(3), false);
    EXPECT_EQ(monitor.stats("a").count, 1u) << "ch13.stats: one run recorded under 'a'";
    EXPECT_EQ(ms(monitor.stats("b").min), 3) << "ch13.stats: the shortest run under 'b'";
    EXPECT_EQ(ms(monitor.stats("b").max), 5) << "ch13.stats: the longest run under 'b'";
    EXPECT_EQ(monitor.stats("b").failures, 0u) << "ch13.stats: 'a' failed, 'b' did not";
    EXPECT_THROW(monitor.stats("c"), aio::KeyError)
        << "ch13.stats: nothing was recorded under 'c': KeyError";
}

TEST(Monitor, MonitoredTimesEachRunOnTheLoopsClock) {
    VirtualLoop v;
    Monitor monitor;
    auto task = aio::create_task(v.loop, run_jobs(monitor, {30, 10, 20}, false));
    EXPECT_EQ(aio::run_until_complete(v.loop, aio::Future<int>(task)), 60)
        << "ch13.monitored: each run's value passes through unchanged";
    const aio::Stats s = monitor.stats("job");
    EXPECT_EQ(s.count, 3u) << "ch13.monitored: three runs, three records";
    EXPECT_EQ(s.failures, 0u) << "ch13.monitored: no run failed";
    EXPECT_EQ(ms(s.total), 60)
        << "ch13.monitored: 30 + 10 + 20 ms of virtual time: each run is timed on the running "
           "loop's clock (loop.time()), from its start to its end";
    EXPECT_EQ(ms(s.min), 10) << "ch13.monitored: the shortest run took 10 ms of loop time";
    EXPECT_EQ(ms(s.max), 30) << "ch13.monitored: the longest run took 30 ms of loop time";
}

TEST(Monitor, AFailedRunIsRecordedAndItsErrorPassesThrough) {
    VirtualLoop v;
    Monitor monitor;
    auto task = aio::create_task(v.loop, run_jobs(monitor, {10, 40}, true));
    EXPECT_EQ(aio::run_until_complete(v.loop, aio::Future<int>(task)), 1010)
        << "ch13.monitored: the second run's error must reach the caller unchanged";
    const aio::Stats s = monitor.stats("job");
    EXPECT_EQ(s.count, 2u) << "ch13.monitored: a failed run is recorded too";
    EXPECT_EQ(s.failures, 1u) << "ch13.monitored: the failed run counts as a failure";
    EXPECT_EQ(ms(s.max), 40) << "ch13.monitored: the failed run's duration (40 ms) is recorded";
}

TEST(Monitor, ACancelledRunCountsAsAFailureAndStaysCancelled) {
    VirtualLoop v;
    Monitor monitor;
    auto task =
        aio::create_task(v.loop, monitor.monitored("sleeper", idle(std::chrono::seconds(10))));
    v.loop.call_later(std::chrono::milliseconds(25), [task]() mutable { task.cancel("enough"); });
    v.settle();
    EXPECT_EQ(outcome_of(task), "cancelled")
        << "ch13.monitored: the CancelledError must leave monitored unchanged";
    ASSERT_NO_THROW(monitor.stats("sleeper"))
        << "ch13.monitored: a cancelled run is recorded (CancelledError is not a std::exception: "
           "catch everything)";
    EXPECT_EQ(monitor.stats("sleeper").failures, 1u)
        << "ch13.monitored: a cancelled run counts as a failure";
    EXPECT_EQ(ms(monitor.stats("sleeper").total), 25)
        << "ch13.monitored: the cancelled run lasted 25 ms of loop time";
}

TEST(Monitor, TableAndJsonShowEveryName) {
    Monitor monitor;
    monitor.record("fetch", std::chrono::milliseconds(10), false);
    monitor.record("fetch", std::chrono::milliseconds(30), true);
    monitor.record("say \"hi\"", std::chrono::milliseconds(2), false);
    const std::string table = monitor.table();
    EXPECT_NE(table.find("fetch"), std::string::npos) << table;
    EXPECT_NE(table.find("20.000"), std::string::npos)
        << "ch13.stats: the mean of 10 and 30 ms shows as 20.000 ms\n"
        << table;
    EXPECT_EQ(monitor.to_json(),
              "{\"fetch\": {\"count\": 2, \"failures\": 1, \"total_s\": 0.040000000, "
              "\"mean_s\": 0.020000000, \"min_s\": 0.010000000, \"max_s\": 0.030000000, "
              "\"p50_s\": 0.010000000, \"p99_s\": 0.030000000}, "
              "\"say \\\"hi\\\"\": {\"count\": 1, \"failures\": 0, \"total_s\": 0.002000000, "
              "\"mean_s\": 0.002000000, \"min_s\": 0.002000000, \"max_s\": 0.002000000, "
              "\"p50_s\": 0.002000000, \"p99_s\": 0.002000000}}")
        << "ch13.stats, ch13.json_quote: the JSON holds each name's stats in seconds, each "
           "name a JSON string (its quotes escaped)";
}
