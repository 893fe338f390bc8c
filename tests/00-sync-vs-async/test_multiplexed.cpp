// The multiplexed client: right answers, every request in flight at once from
// one thread, partial writes and reads, hundreds of sockets, clear errors.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iterator>

#include "client_checks.hpp"

namespace looplab {
namespace {

// The threads of this process, as Linux lists them.
int thread_count() {
    auto tasks = std::filesystem::directory_iterator("/proc/self/task");
    return static_cast<int>(std::distance(begin(tasks), end(tasks)));
}

TEST(Multiplexed, AnswersEachRequestInOrder) {
    expect_answers_in_order(aio::fetch_multiplexed, "ch00.multiplexed");
}

TEST(Multiplexed, SendsEveryRequestAtOnce) {
    expect_all_held_at_once(aio::fetch_multiplexed, 20, "ch00.multiplexed");
}

TEST(Multiplexed, UsesOnlyTheCallingThread) {
    if (!std::filesystem::exists("/proc/self/task")) GTEST_SKIP() << "needs Linux's /proc";
    SlowServer server({.delay = std::chrono::milliseconds(200)});
    std::atomic<bool> running{true};
    std::atomic<int> most{0};
    std::thread sampler([&] { // counts threads while the client runs
        while (running) {
            most = std::max(most.load(), thread_count());
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    });
    int before = thread_count();
    std::vector<std::string> requests = numbered_requests(10);
    std::vector<std::string> answers;
    try {
        answers = aio::fetch_multiplexed(server.port(), requests);
    } catch (...) {
        running = false;
        sampler.join();
        throw;
    }
    running = false;
    sampler.join();
    EXPECT_EQ(answers, expected_answers(requests))
        << "ch00.multiplexed: one answer per request, in request order";
    EXPECT_LE(most.load(), before)
        << "ch00.poll_loop: fetch_multiplexed started " << most.load() - before
        << " thread(s): drive every socket from the calling thread";
}

TEST(Multiplexed, ServesTwoHundredConnectionsAtOnce) {
    SlowServer server({.delay = std::chrono::milliseconds(200)});
    std::vector<std::string> requests = numbered_requests(200);
    Stopwatch stopwatch;
    EXPECT_EQ(call_within(std::chrono::seconds(5), "fetch_multiplexed with 200 requests",
                          aio::fetch_multiplexed, server.port(), requests),
              expected_answers(requests))
        << "ch00.poll_loop: one answer per request, in request order";
    EXPECT_EQ(server.peak_concurrency(), 200)
        << "ch00.poll_loop: all 200 requests should be in flight at once";
    EXPECT_LT(stopwatch.seconds(), 2.0 * slowdown)
        << "ch00.poll_loop: 200 overlapping waits of 0.2 s should take about 0.2 s";
}

TEST(Multiplexed, LongLinesNeedManyWritesAndReads) {
    expect_long_line_whole(aio::fetch_multiplexed, "fetch_multiplexed", 6,
                           "ch00.mux_write, ch00.multiplexed (answers in request order)");
}

TEST(Multiplexed, RefusedConnectionNamesConnect) {
    expect_connect_error(aio::fetch_multiplexed, "ch00.multiplexed");
}

TEST(Multiplexed, ServerClosingMidAnswerIsAnError) {
    expect_closed_mid_answer_error(aio::fetch_multiplexed, "fetch_multiplexed", "ch00.multiplexed");
}

} // namespace
} // namespace looplab
