// Graded tests, sync vs async: sleeping tasks overlap their waits, and chapter
// 00's client rebuilt as one coroutine per request answers as fast as the
// poll() client. Real time, wide margins; the figures are printed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fetch.hpp"
#include "fetch_coroutines.hpp"
#include "slow_server.hpp"
#include "task.hpp"
#include "timing.hpp"

using aio::Coro;
using aio::Task;
using looplab::SlowServer;
using looplab::SlowServerOptions;
using looplab::Stopwatch;
using namespace std::chrono_literals;

namespace {

constexpr double slowdown = looplab::sanitized ? 3.0 : 1.0;

Coro<void> nap(int* finished) {
    co_await aio::sleep(100ms);
    ++*finished;
}

// Every task created first, then awaited: the sleeps overlap.
Coro<void> concurrent(int count, int* finished) {
    std::vector<Task<void>> tasks;
    for (int i = 0; i < count; ++i)
        tasks.push_back(aio::create_task(nap(finished)));
    for (Task<void>& task : tasks)
        co_await task;
}

// Each task awaited before the next is created: the sleeps add up.
Coro<void> sequential(int count, int* finished) {
    for (int i = 0; i < count; ++i)
        co_await aio::create_task(nap(finished));
}

std::vector<std::string> numbered_requests(int count) {
    std::vector<std::string> requests;
    for (int i = 0; i < count; ++i)
        requests.push_back("request " + std::to_string(i));
    return requests;
}

} // namespace

TEST(Timing, HundredSleepingTasksTakeOneSleepNotAHundred) {
    int finished = 0;
    Stopwatch stopwatch;
    aio::run(concurrent(100, &finished));
    double together = stopwatch.seconds();
    EXPECT_EQ(finished, 100) << "ch05.sleep: every concurrent task finished";
    stopwatch.restart();
    aio::run(sequential(10, &finished));
    double one_by_one = stopwatch.seconds() * 10; // scaled to 100 tasks
    EXPECT_EQ(finished, 110) << "ch05.sleep: the 10 tasks awaited one by one all finished";
    looplab::report_timing("100 tasks x sleep(100ms): sequential " + looplab::fixed(one_by_one) +
                           " s (est.: 10 timed, x10) · concurrent " + looplab::fixed(together) +
                           " s (ideal 0.10) · speedup x" +
                           looplab::fixed(one_by_one / together, 0));
    EXPECT_GE(together, 0.09) << "ch05.sleep: every task must really sleep its 100 ms";
    EXPECT_LE(together, 0.5 * slowdown) << "ch05.sleep: 100 tasks that sleep at the same time must "
                                           "take about one sleep, not a hundred";
    EXPECT_GE(one_by_one, 9.0)
        << "ch05.sleep: awaiting each task before creating the next adds the sleeps up";
}

TEST(FetchCoroutines, AnswersInRequestOrderWithEveryRequestInFlight) {
    SlowServer server(SlowServerOptions{.delay = 200ms});
    std::vector<std::string> requests = numbered_requests(20);
    std::vector<std::string> answers = aio::fetch_with_coroutines(server.port(), requests);
    ASSERT_EQ(answers.size(), requests.size()) << "ch05.fetch_all: one answer per request";
    for (std::size_t i = 0; i < requests.size(); ++i)
        EXPECT_EQ(answers[i], SlowServer::answer_for(requests[i]))
            << "ch05.fetch_all: answer " << i << " belongs to request " << i;
    EXPECT_EQ(server.peak_concurrency(), 20)
        << "ch05.fetch_all: one task per request, all created before any is awaited: the server "
           "must hold all "
           "20 requests at once";
    EXPECT_TRUE(aio::fetch_with_coroutines(server.port(), {}).empty())
        << "ch05.fetch_all: no request, no answer";
}

TEST(FetchCoroutines, ARefusedConnectionIsASystemError) {
    std::uint16_t port = 0;
    {
        SlowServer server; // a port that was just free: nothing listens there any more
        port = server.port();
    }
    EXPECT_THROW(aio::fetch_with_coroutines(port, numbered_requests(3)), std::system_error)
        << "ch05.connect: connect's error (SO_ERROR after writable) must come out of the coroutine";
}

TEST(Timing, CoroutineClientIsAsFastAsOneRequest) {
    SlowServer server(SlowServerOptions{.delay = 100ms});
    std::vector<std::string> requests = numbered_requests(20);
    Stopwatch stopwatch;
    std::vector<std::string> sequential = aio::fetch_sequential(server.port(), requests);
    double sync_seconds = stopwatch.seconds();
    server.reset_stats();
    stopwatch.restart();
    std::vector<std::string> answers = aio::fetch_with_coroutines(server.port(), requests);
    double async_seconds = stopwatch.seconds();
    EXPECT_EQ(answers, sequential)
        << "ch05.fetch_all: the same answers as the sequential client, in request order";
    int peak = server.peak_concurrency();
    looplab::report_timing("20 requests x 100 ms: sequential " + looplab::fixed(sync_seconds) +
                           " s · coroutines " + looplab::fixed(async_seconds) + " s · peak " +
                           std::to_string(peak) + " · speedup x" +
                           looplab::fixed(sync_seconds / async_seconds, 0));
    EXPECT_EQ(peak, 20) << "ch05.fetch_all: all 20 requests in flight at once";
    EXPECT_LE(async_seconds, 0.4 * slowdown) << "ch05.fetch_all: the 20 waits must overlap";
    EXPECT_GE(sync_seconds / async_seconds, 5.0)
        << "ch05.fetch_all: at least 5x faster than one request at a time";
}
