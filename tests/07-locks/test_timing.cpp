// Timing: 20 downloads of 100 ms through a Semaphore(5) take four rounds,
// against 20 one after another and all 20 at once; the slow server's peak
// shows the bound. Real time, wide margins; the figures are printed.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "fetch.hpp"
#include "fetch_coroutines.hpp"
#include "locks.hpp"
#include "slow_server.hpp"
#include "timing.hpp"

using aio::Coro;
using looplab::SlowServer;
using looplab::Stopwatch;

namespace {

// One download, inside the semaphore when there is one.
Coro<std::string> download(std::uint16_t port, aio::Semaphore* limit, int index) {
    std::optional<aio::Guard> held;
    if (limit != nullptr) held.emplace(co_await limit->guard());
    co_return co_await aio::fetch_one_async(port, "file " + std::to_string(index),
                                            static_cast<std::size_t>(index));
}

// Every download in a task of its own, all awaited; the answers counted.
Coro<int> download_all(std::uint16_t port, int count, aio::Semaphore* limit) {
    std::vector<aio::Task<std::string>> tasks;
    for (int i = 0; i < count; ++i)
        tasks.push_back(aio::create_task(download(port, limit, i)));
    int answered = 0;
    for (aio::Task<std::string>& task : tasks)
        if (!(co_await task).empty()) ++answered;
    co_return answered;
}

} // namespace

TEST(Timing, TwentyDownloadsThroughASemaphoreOfFiveTakeFourRounds) {
    SlowServer server; // answers each request after 100 ms
    std::vector<std::string> requests;
    for (int i = 0; i < 20; ++i)
        requests.push_back("file " + std::to_string(i));

    Stopwatch stopwatch;
    aio::fetch_sequential(server.port(), requests);
    double sequential = stopwatch.seconds();

    server.reset_stats();
    stopwatch.restart();
    int unlimited_answers = aio::run(download_all(server.port(), 20, nullptr));
    double unlimited = stopwatch.seconds();
    int unlimited_peak = server.peak_concurrency();

    server.reset_stats();
    aio::Semaphore five(5);
    stopwatch.restart();
    int limited_answers = aio::run(download_all(server.port(), 20, &five));
    double limited = stopwatch.seconds();
    int limited_peak = server.peak_concurrency();

    looplab::report_timing("20 downloads x 100 ms: sequential " + looplab::fixed(sequential) +
                           " s · Semaphore(5) " + looplab::fixed(limited) + " s, server peak " +
                           std::to_string(limited_peak) + " · unlimited " +
                           looplab::fixed(unlimited) + " s, server peak " +
                           std::to_string(unlimited_peak) + " · speedup x" +
                           looplab::fixed(sequential / limited, 1) + " (ideal x5)");
    EXPECT_EQ(unlimited_answers, 20) << "every download answered";
    EXPECT_EQ(limited_answers, 20) << "ch07.semaphore_wake: every download through the semaphore";
    EXPECT_EQ(limited_peak, 5)
        << "ch07.semaphore_acquire: the server saw at most 5 requests at once, and 5 were used";
    EXPECT_GE(limited, 0.35) << "ch07.semaphore_acquire: 20 jobs, 5 at a time: 4 rounds of 100 ms";
    EXPECT_GE(sequential / limited, 2.5)
        << "ch07.semaphore_wake: 5 at a time must be well faster than one by one (ideal x5)";
}
