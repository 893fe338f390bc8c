// Graded tests: chapter 00's client rebuilt on the loop with futures and
// callbacks, against the slow local server (tests/support/slow_server.hpp):
// exercises ch04.fetch_callbacks (one request's chain) and ch04.fetch_all
// (every request at once); ch04.all_done is in test_all_done.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <system_error>
#include <vector>

#include "fetch.hpp"
#include "fetch_callbacks.hpp"
#include "fetch_test_helpers.hpp"
#include "future_test_helpers.hpp"
#include "net.hpp"
#include "slow_server.hpp"
#include "timing.hpp"

using aio::EventLoop;
using aio::Future;
using looplab::SlowServer;
using looplab::SlowServerOptions;
using namespace std::chrono_literals;

namespace {
std::vector<std::string> make_requests(int n) {
    std::vector<std::string> requests;
    for (int i = 0; i < n; ++i)
        requests.push_back("request " + std::to_string(i));
    return requests;
}

// Runs the loop for about `duration` (a timer future), then returns.
void run_for(EventLoop& loop, aio::Duration duration) {
    Future<void> later(loop);
    loop.call_later(duration, [later]() mutable { later.set_result(); });
    aio::run_until_complete(loop, later);
}
} // namespace

// ---------------------------------------------------------------- ch04.fetch_callbacks

TEST(FetchOne, ChainsConnectSendAndRead) {
    SlowServer server(SlowServerOptions{.delay = 20ms});
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "fetch_one_callbacks");
    looplab::RecordedReports reports(loop);
    aio::UniqueFd socket = aio::tcp_socket(/*nonblocking=*/true);
    Future<std::string> answer =
        aio::fetch_one_callbacks(loop, socket.get(), server.port(), "hi", 0);
    EXPECT_FALSE(answer.done()) << "ch04.fetch_callbacks: nothing is done before the loop runs";
    EXPECT_EQ(aio::run_until_complete(loop, answer), SlowServer::answer_for("hi"))
        << "ch04.fetch_callbacks: connect, then send \"hi\\n\", then read the answer line";
    EXPECT_EQ(server.requests_answered(), 1) << "ch04.fetch_callbacks: one request, one answer";
    EXPECT_FALSE(loop.remove_reader(socket.get()) || loop.remove_writer(socket.get()))
        << "ch04.fetch_callbacks: no watcher is left on the socket once the answer is in";
    EXPECT_FALSE(watchdog.fired()) << "ch04.fetch_callbacks: the answer never came";
    looplab::expect_no_reports(reports, "ch04.fetch_callbacks");
}

TEST(FetchOne, AFailedStepBecomesTheAnswersException) {
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "fetch_one_callbacks");
    looplab::RecordedReports reports(loop);
    std::uint16_t port;
    {
        SlowServer gone;
        port = gone.port();
    }
    aio::UniqueFd refused = aio::tcp_socket(/*nonblocking=*/true);
    try {
        aio::run_until_complete(loop, aio::fetch_one_callbacks(loop, refused.get(), port, "x", 0));
        FAIL() << "ch04.fetch_callbacks: a failed connect must become the answer's exception";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), std::errc::connection_refused)
            << "ch04.fetch_callbacks: the connect step's own exception, passed on; got: "
            << e.what();
    }
    SlowServer server(SlowServerOptions{.delay = 20ms, .close_mid_answer = true});
    aio::UniqueFd socket = aio::tcp_socket(/*nonblocking=*/true);
    try {
        aio::run_until_complete(
            loop, aio::fetch_one_callbacks(loop, socket.get(), server.port(), "y", 0));
        FAIL() << "ch04.fetch_callbacks: a failed read must become the answer's exception";
    } catch (const aio::NotImplemented&) {
        throw;
    } catch (const aio::Error& e) {
        EXPECT_NE(std::string(e.what()).find("closed"), std::string::npos)
            << "ch04.fetch_callbacks: the read step's own exception, passed on; got: " << e.what();
    }
    looplab::expect_no_reports(reports, "ch04.fetch_callbacks");
}

TEST(FetchOne, NoStepStartsOnceTheAnswerIsCancelled) {
    SlowServer server(SlowServerOptions{.delay = 10ms});
    EventLoop loop;
    looplab::RecordedReports reports(loop);
    aio::UniqueFd socket = aio::tcp_socket(/*nonblocking=*/true);
    Future<std::string> answer =
        aio::fetch_one_callbacks(loop, socket.get(), server.port(), "abandoned", 0);
    EXPECT_TRUE(answer.cancel()) << "ch04.fetch_callbacks: the answer is pending at first";
    run_for(loop, 100ms);
    EXPECT_EQ(server.peak_concurrency(), 0)
        << "ch04.fetch_callbacks: the answer was cancelled (the caller gave up) before the "
           "connect finished: check it in each step's callback and start nothing more";
    EXPECT_FALSE(loop.remove_reader(socket.get()) || loop.remove_writer(socket.get()))
        << "ch04.fetch_callbacks: an abandoned request leaves no watcher behind";
    looplab::expect_no_reports(reports, "ch04.fetch_callbacks");
}

// ---------------------------------------------------------------- ch04.fetch_all

TEST(FetchCallbacks, AnswersInRequestOrder) {
    SlowServer server(SlowServerOptions{.delay = 20ms});
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "fetch_with_callbacks");
    looplab::RecordedReports reports(loop);
    std::vector<std::string> requests = make_requests(5);
    std::vector<std::string> answers = aio::fetch_with_callbacks(loop, server.port(), requests);
    ASSERT_EQ(answers.size(), requests.size()) << "ch04.fetch_all: one answer per request";
    for (std::size_t i = 0; i < requests.size(); ++i)
        EXPECT_EQ(answers[i], SlowServer::answer_for(requests[i]))
            << "ch04.fetch_all: answer " << i << " (without its newline, in request order)";
    EXPECT_TRUE(aio::fetch_with_callbacks(loop, server.port(), {}).empty())
        << "ch04.fetch_all: no requests: no answers, and no hang";
    looplab::expect_no_reports(reports, "ch04.fetch_all, ch04.fetch_callbacks");
}

TEST(FetchCallbacks, AllRequestsAreInFlightAtOnceOnTheGivenLoop) {
    SlowServer server(SlowServerOptions{.delay = 300ms});
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "fetch_with_callbacks");
    looplab::RecordedReports reports(loop);
    std::size_t io_events = 0;
    loop.set_tracer([&](const aio::IterationTrace& pass) { io_events += pass.events.size(); });
    std::vector<std::string> answers =
        aio::fetch_with_callbacks(loop, server.port(), make_requests(20));
    EXPECT_EQ(answers.size(), 20u) << "ch04.fetch_all: one answer per request";
    EXPECT_GE(io_events, 20u) << "ch04.fetch_all: every socket's readiness must come through the "
                                 "loop: add_writer/add_reader, not a poll() of your own";
    EXPECT_EQ(server.peak_concurrency(), 20)
        << "ch04.fetch_all: the server held fewer than 20 requests at once: the client waits "
           "for one answer before it sends the next request; start every chain before running "
           "the loop";
    EXPECT_EQ(server.requests_answered(), 20) << "ch04.fetch_all: each request sent once";
    looplab::expect_no_reports(reports, "ch04.fetch_all, ch04.fetch_callbacks");
}

// A 6 MiB line: no single non-blocking send() takes it (a loopback socket
// buffers ~4 MiB), and no single recv() brings its answer.
TEST(FetchCallbacks, LongLinesNeedManyWritesAndReads) {
    SlowServer server(SlowServerOptions{.delay = 10ms});
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "fetch_with_callbacks");
    looplab::RecordedReports reports(loop);
    std::vector<std::string> requests = {"short", std::string(6 << 20, 'x') + "!", "end"};
    std::vector<std::string> answers = aio::fetch_with_callbacks(loop, server.port(), requests);
    ASSERT_EQ(answers.size(), requests.size()) << "ch04.fetch_all: one answer per request";
    for (std::size_t i = 0; i < requests.size(); ++i)
        EXPECT_TRUE(answers[i] == SlowServer::answer_for(requests[i]))
            << "ch04.fetch_all: answer " << i << " has " << answers[i].size() << " bytes, expected "
            << requests[i].size() + 4
            << ": each line goes out whole (send_all_async) and comes back whole "
               "(read_line_async)";
    looplab::expect_no_reports(reports, "ch04.fetch_all, ch04.fetch_callbacks");
}

TEST(FetchCallbacks, TheLoopIsReusableAndNothingIsLeftBehind) {
    SlowServer server(SlowServerOptions{.delay = 10ms});
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "fetch_with_callbacks");
    looplab::RecordedReports reports(loop);
    int before = looplab::open_fds();
    for (int round = 0; round < 3; ++round)
        EXPECT_EQ(aio::fetch_with_callbacks(loop, server.port(), make_requests(4)).size(), 4u)
            << "ch04.fetch_all: round " << round << " on the same loop";
    EXPECT_EQ(looplab::open_fds_settled(before), before)
        << "ch04.fetch_all: every socket must be closed once its answer is in";
    bool ran = false;
    loop.call_soon([&] { ran = true; });
    loop.run_once();
    EXPECT_TRUE(ran) << "ch04.fetch_all: the loop is stopped and still usable afterwards";
    looplab::expect_no_reports(reports, "ch04.fetch_all, ch04.fetch_callbacks");
}

TEST(FetchCallbacks, RefusedConnectionIsThrown) {
    std::uint16_t port;
    {
        SlowServer gone;
        port = gone.port();
    } // nothing listens there any more
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "fetch_with_callbacks");
    looplab::RecordedReports reports(loop);
    int before = looplab::open_fds();
    try {
        aio::fetch_with_callbacks(loop, port, make_requests(3));
        FAIL() << "ch04.fetch_all: a refused connection must end in an exception, rethrown";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), std::errc::connection_refused)
            << "ch04.fetch_all: the connect step's exception; got: " << e.what();
    }
    EXPECT_EQ(looplab::open_fds_settled(before), before)
        << "ch04.fetch_all: the sockets of failed requests must be closed";
    run_for(loop, 20ms); // what was still queued runs, and must find nothing to do
    looplab::expect_no_reports(reports, "ch04.fetch_all, ch04.fetch_callbacks");
}

TEST(FetchCallbacks, ServerClosingMidAnswerIsThrown) {
    SlowServer server(SlowServerOptions{.delay = 20ms, .close_mid_answer = true});
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "fetch_with_callbacks");
    looplab::RecordedReports reports(loop);
    int before = looplab::open_fds();
    try {
        aio::fetch_with_callbacks(loop, server.port(), make_requests(3));
        FAIL() << "ch04.fetch_all: a server that hangs up before the newline is an error, not a "
                  "short answer";
    } catch (const aio::NotImplemented&) {
        throw;
    } catch (const aio::Error& e) {
        EXPECT_NE(std::string(e.what()).find("closed"), std::string::npos)
            << "ch04.fetch_all: the read step's closed_mid_answer, rethrown; got: " << e.what();
    }
    EXPECT_EQ(looplab::open_fds_settled(before), before)
        << "ch04.fetch_all: every socket is closed after the error, the abandoned ones too";
    run_for(loop, 50ms); // what was still queued runs, and must find nothing to do
    looplab::expect_no_reports(reports, "ch04.fetch_all, ch04.fetch_callbacks");
}

TEST(FetchCallbacks, TwentySlowRequestsTakeOneDelayNotTwenty) {
    SlowServer server(SlowServerOptions{.delay = 100ms});
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "fetch_with_callbacks");
    looplab::RecordedReports reports(loop);
    std::vector<std::string> requests = make_requests(20);
    looplab::Stopwatch watch;
    std::vector<std::string> answers = aio::fetch_with_callbacks(loop, server.port(), requests);
    double seconds = watch.seconds();
    ASSERT_EQ(answers.size(), 20u) << "ch04.fetch_all: one answer per request";
    double sequential = 20 * 0.100; // what chapter 00's sequential client needs, at least
    looplab::report_timing("sequential (20 x 100 ms) >= " + looplab::fixed(sequential) +
                           " s · callbacks " + looplab::fixed(seconds) + " s · speedup ×" +
                           looplab::fixed(sequential / seconds, 1));
    EXPECT_LE(seconds, sequential / 5)
        << "ch04.fetch_all: 20 requests of 100 ms each, all at once, should take about 0.1 s";
    looplab::expect_no_reports(reports, "ch04.fetch_all, ch04.fetch_callbacks");
}
