// Graded tests: chapter 00's client rebuilt on the loop with futures and
// callbacks, against the slow local server (tests/support/slow_server.hpp).
#include <gtest/gtest.h>

#include <dirent.h>

#include <chrono>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "fetch_callbacks.hpp"
#include "future_test_helpers.hpp"
#include "net.hpp"
#include "slow_server.hpp"
#include "timing.hpp"

using aio::EventLoop;
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

int open_fds() {
    int count = 0;
    if (DIR* dir = ::opendir("/proc/self/fd")) {
        while (::readdir(dir) != nullptr)
            ++count;
        ::closedir(dir);
    }
    return count;
}

// open_fds() once it reaches `expected`, or after a second: the slow server runs
// in this process and closes its side of a connection only when it sees the EOF.
int open_fds_settled(int expected) {
    looplab::Stopwatch watch;
    while (open_fds() != expected && watch.seconds() < 1.0)
        std::this_thread::sleep_for(5ms);
    return open_fds();
}
} // namespace

TEST(FetchCallbacks, AnswersInRequestOrder) {
    SlowServer server(SlowServerOptions{.delay = 20ms});
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "fetch_with_callbacks");
    std::vector<std::string> requests = make_requests(5);
    std::vector<std::string> answers = aio::fetch_with_callbacks(loop, server.port(), requests);
    ASSERT_EQ(answers.size(), requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i)
        EXPECT_EQ(answers[i], SlowServer::answer_for(requests[i]))
            << "answer " << i << " (without its newline, in request order)";
    EXPECT_TRUE(aio::fetch_with_callbacks(loop, server.port(), {}).empty())
        << "no requests: no answers, and no hang";
}

TEST(FetchCallbacks, AllRequestsAreInFlightAtOnceOnTheGivenLoop) {
    SlowServer server(SlowServerOptions{.delay = 300ms});
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "fetch_with_callbacks");
    std::size_t io_events = 0;
    loop.set_tracer([&](const aio::IterationTrace& pass) { io_events += pass.events.size(); });
    std::vector<std::string> answers =
        aio::fetch_with_callbacks(loop, server.port(), make_requests(20));
    EXPECT_EQ(answers.size(), 20u);
    EXPECT_GE(io_events, 20u) << "every socket's readiness must come through the loop: "
                                 "add_writer/add_reader, not a poll() of your own";
    EXPECT_EQ(server.peak_concurrency(), 20)
        << "the server held fewer than 20 requests at once: the client waits for one answer "
           "before it sends the next request; start every exchange before running the loop";
    EXPECT_EQ(server.requests_answered(), 20);
}

TEST(FetchCallbacks, TheLoopIsReusableAndNothingIsLeftBehind) {
    SlowServer server(SlowServerOptions{.delay = 10ms});
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "fetch_with_callbacks");
    int before = open_fds();
    for (int round = 0; round < 3; ++round)
        EXPECT_EQ(aio::fetch_with_callbacks(loop, server.port(), make_requests(4)).size(), 4u);
    EXPECT_EQ(open_fds_settled(before), before)
        << "every socket must be closed once its answer is in";
    bool ran = false;
    loop.call_soon([&] { ran = true; });
    loop.run_once();
    EXPECT_TRUE(ran) << "the loop is not running and still usable after fetch_with_callbacks";
}

TEST(FetchCallbacks, ConnectAsyncResolvesAFutureWhenTheHandshakeIsDone) {
    SlowServer server(SlowServerOptions{.delay = 10ms});
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "fetch_with_callbacks");
    aio::UniqueFd socket = aio::tcp_socket(/*nonblocking=*/true);
    aio::Future<void> connected = aio::connect_async(loop, socket.get(), server.port());
    EXPECT_NO_THROW(aio::run_until_complete(loop, connected)) << "connected: set_result()";
    EXPECT_FALSE(loop.remove_writer(socket.get()))
        << "once the handshake is over, the writer that waited for it must be removed";

    std::uint16_t port;
    {
        SlowServer gone;
        port = gone.port();
    }
    aio::UniqueFd refused_socket = aio::tcp_socket(/*nonblocking=*/true);
    aio::Future<void> refused = aio::connect_async(loop, refused_socket.get(), port);
    try {
        aio::run_until_complete(loop, refused);
        FAIL() << "a refused connect must end in the future's exception";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), std::errc::connection_refused)
            << "after the writable event, getsockopt(SO_ERROR) holds the connect's error; got: "
            << e.what();
    }
    EXPECT_FALSE(watchdog.fired()) << "run_until_complete needed the test's watchdog to stop";
}

// A 6 MiB line: no single non-blocking send() takes it (a loopback socket
// buffers ~4 MiB), and no single recv() brings its answer.
TEST(FetchCallbacks, LongLinesNeedManyWritesAndReads) {
    SlowServer server(SlowServerOptions{.delay = 10ms});
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "fetch_with_callbacks");
    std::vector<std::string> requests = {"short", std::string(6 << 20, 'x') + "!", "end"};
    std::vector<std::string> answers = aio::fetch_with_callbacks(loop, server.port(), requests);
    ASSERT_EQ(answers.size(), requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i)
        EXPECT_TRUE(answers[i] == SlowServer::answer_for(requests[i]))
            << "answer " << i << " has " << answers[i].size() << " bytes, expected "
            << requests[i].size() + 4 << ": when send() takes only part of the line, "
            << "add_writer and send the rest when the socket is writable again";
}

TEST(FetchCallbacks, RefusedConnectionIsThrown) {
    std::uint16_t port;
    {
        SlowServer gone;
        port = gone.port();
    } // nothing listens there any more
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "fetch_with_callbacks");
    int before = open_fds();
    try {
        aio::fetch_with_callbacks(loop, port, make_requests(3));
        FAIL() << "a refused connection must end in the answer future's exception, rethrown";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), std::errc::connection_refused) << e.what();
        EXPECT_NE(std::string(e.what()).find("connect"), std::string::npos)
            << "name the failed call: std::system_error(error, std::generic_category(), "
               "\"connect\"); got: "
            << e.what();
    }
    EXPECT_EQ(open_fds_settled(before), before) << "the sockets of failed requests must be closed";
}

TEST(FetchCallbacks, ServerClosingMidAnswerIsThrown) {
    SlowServer server(SlowServerOptions{.delay = 20ms, .close_mid_answer = true});
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "fetch_with_callbacks");
    int before = open_fds();
    try {
        aio::fetch_with_callbacks(loop, server.port(), make_requests(1));
        FAIL() << "a server that hangs up before the newline is an error, not a short answer";
    } catch (const aio::NotImplemented&) {
        throw;
    } catch (const aio::Error& e) {
        EXPECT_NE(std::string(e.what()).find("closed"), std::string::npos)
            << "throw aio::closed_mid_answer(bytes, index) into the answer future; got: "
            << e.what();
    }
    EXPECT_EQ(open_fds_settled(before), before) << "the socket must be closed after the error";
}

TEST(FetchCallbacks, TwentySlowRequestsTakeOneDelayNotTwenty) {
    SlowServer server(SlowServerOptions{.delay = 100ms});
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "fetch_with_callbacks");
    std::vector<std::string> requests = make_requests(20);
    looplab::Stopwatch watch;
    std::vector<std::string> answers = aio::fetch_with_callbacks(loop, server.port(), requests);
    double seconds = watch.seconds();
    ASSERT_EQ(answers.size(), 20u);
    double sequential = 20 * 0.100; // what chapter 00's sequential client needs, at least
    looplab::report_timing("sequential (20 x 100 ms) >= " + looplab::fixed(sequential) +
                           " s · callbacks " + looplab::fixed(seconds) + " s · speedup ×" +
                           looplab::fixed(sequential / seconds, 1));
    EXPECT_LE(seconds, sequential / 5)
        << "20 requests of 100 ms each, all at once, should take about 0.1 s";
}
