// Sync vs async, measured: 20 requests to a server that waits 100 ms before each
// answer. Sequential pays every wait in turn (~2 s); threads and poll() overlap
// them (~0.1 s). Bounds are wide: these machines are shared and noisy.
#include "client_checks.hpp"

namespace looplab {
namespace {

constexpr int request_count = 20;
constexpr auto delay = std::chrono::milliseconds(100);

// Seconds for one run of `client` over 20 requests; checks the answers too.
double timed_run(Client client) {
    SlowServer server({.delay = delay});
    std::vector<std::string> requests = numbered_requests(request_count);
    Stopwatch stopwatch;
    std::vector<std::string> answers = client(server.port(), requests);
    double seconds = stopwatch.seconds();
    EXPECT_EQ(answers, expected_answers(requests)) << "one answer per request, in order";
    return seconds;
}

TEST(Timing, SequentialTakesTheSumOfTheDelays) {
    double seconds = timed_run(aio::fetch_sequential);
    report_timing("sequential " + fixed(seconds) + " s (20 requests x 100 ms, ideal 2.00 s)");
    EXPECT_GE(seconds, 1.8) << "ch00.sequential: one request after another must wait 20 x 100 ms";
}

TEST(Timing, ThreadedTakesAboutOneDelay) {
    double seconds = timed_run(aio::fetch_threaded);
    report_timing("threaded " + fixed(seconds) + " s (20 requests x 100 ms, ideal 0.10 s)");
    EXPECT_LE(seconds, 0.4 * slowdown)
        << "ch00.threaded: with a thread per request the 20 waits overlap";
}

TEST(Timing, MultiplexedTakesAboutOneDelay) {
    double seconds = timed_run(aio::fetch_multiplexed);
    report_timing("multiplexed " + fixed(seconds) + " s (20 requests x 100 ms, ideal 0.10 s)");
    EXPECT_LE(seconds, 0.4 * slowdown)
        << "ch00.poll_loop: with poll() over all sockets the 20 waits overlap";
}

TEST(Timing, AsyncIsAtLeastFiveTimesFaster) {
    double sequential = timed_run(aio::fetch_sequential);
    double threaded = timed_run(aio::fetch_threaded);
    double multiplexed = timed_run(aio::fetch_multiplexed);
    report_timing("sequential " + fixed(sequential) + " s · threaded " + fixed(threaded) +
                  " s · multiplexed " + fixed(multiplexed) + " s · speedup ×" +
                  fixed(sequential / threaded, 0) + " threaded, ×" +
                  fixed(sequential / multiplexed, 0) + " multiplexed");
    EXPECT_GE(sequential / threaded, 5.0 / slowdown)
        << "ch00.threaded: the waits of the threads must overlap";
    EXPECT_GE(sequential / multiplexed, 5.0 / slowdown)
        << "ch00.poll_loop: the waits under poll() must overlap";
}

} // namespace
} // namespace looplab
