// Graded tests: the client's steps, each a future: exercises
// ch04.connect_async (against the slow local server), ch04.send_all_async and
// ch04.read_line_async (on a socketpair).
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <system_error>

#include "fetch.hpp"
#include "fetch_callbacks.hpp"
#include "fetch_test_helpers.hpp"
#include "future_test_helpers.hpp"
#include "net.hpp"
#include "slow_server.hpp"

using aio::EventLoop;
using aio::Future;
using looplab::SlowServer;
using looplab::SlowServerOptions;
using namespace std::chrono_literals;

namespace {
// A port where nothing listens any more.
std::uint16_t refusing_port() {
    SlowServer gone;
    return gone.port();
}

// The errno a future's std::system_error carries (run_until_complete rethrows it),
// with what() appended to `what`; 0 if it finished without one.
template <class T>
int error_code_of(EventLoop& loop, Future<T> f, std::string& what) {
    try {
        aio::run_until_complete(loop, f);
    } catch (const std::system_error& e) {
        what = e.what();
        return e.code().value();
    }
    return 0;
}
} // namespace

// ---------------------------------------------------------------- ch04.connect_async

TEST(ConnectAsync, ResolvesWhenTheHandshakeIsDone) {
    SlowServer server(SlowServerOptions{.delay = 10ms});
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "connect_async");
    looplab::RecordedReports reports(loop);
    aio::UniqueFd socket = aio::tcp_socket(/*nonblocking=*/true);
    Future<void> connected = aio::connect_async(loop, socket.get(), server.port());
    EXPECT_NO_THROW(aio::run_until_complete(loop, connected))
        << "ch04.connect_async: a connect that succeeds ends in set_result()";
    EXPECT_FALSE(loop.remove_writer(socket.get()))
        << "ch04.connect_async: once the handshake is over, remove the writer that waited for it";
    EXPECT_FALSE(watchdog.fired()) << "ch04.connect_async: the future never finished";
    looplab::expect_no_reports(reports, "ch04.connect_async");
}

TEST(ConnectAsync, RefusedIsTheFuturesException) {
    std::uint16_t port = refusing_port();
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "connect_async");
    looplab::RecordedReports reports(loop);
    aio::UniqueFd socket = aio::tcp_socket(/*nonblocking=*/true);
    std::string what;
    EXPECT_EQ(error_code_of(loop, aio::connect_async(loop, socket.get(), port), what), ECONNREFUSED)
        << "ch04.connect_async: after the writable event, getsockopt(SO_ERROR) holds the "
           "connect's error (connection refused); set it as the future's std::system_error";
    EXPECT_NE(what.find("connect"), std::string::npos)
        << "ch04.connect_async: name the failed call: std::system_error(error, "
           "std::generic_category(), \"connect\"); got: "
        << what;
    EXPECT_FALSE(loop.remove_writer(socket.get()))
        << "ch04.connect_async: a failed handshake removes its writer too";
    looplab::expect_no_reports(reports, "ch04.connect_async");
}

// A blocking socket's connect() is decided before it returns, and a fd that is
// no socket fails at once: no EINPROGRESS, no writer, the future done already.
TEST(ConnectAsync, DecidedAtOnceWhenConnectDoesNotWait) {
    SlowServer server(SlowServerOptions{.delay = 10ms});
    EventLoop loop;
    looplab::RecordedReports reports(loop);
    aio::UniqueFd blocking = aio::tcp_socket(/*nonblocking=*/false);
    Future<void> connected = aio::connect_async(loop, blocking.get(), server.port());
    EXPECT_TRUE(connected.done())
        << "ch04.connect_async: connect() returned 0: the future is done when connect_async "
           "returns";
    EXPECT_FALSE(loop.remove_writer(blocking.get()))
        << "ch04.connect_async: nothing to wait for, so no writer";
    bool ran = false;
    connected.add_done_callback([&](Future<void>) { ran = true; });
    EXPECT_FALSE(ran) << "ch04.connect_async: its done callbacks still go through the loop";
    looplab::run_one_iteration(loop);
    EXPECT_TRUE(ran) << "ch04.connect_async: ...and run on the next pass";

    aio::UniqueFd refused = aio::tcp_socket(/*nonblocking=*/false);
    Future<void> failed = aio::connect_async(loop, refused.get(), refusing_port());
    ASSERT_TRUE(failed.done()) << "ch04.connect_async: a blocking connect to a closed port "
                                  "fails at once (ECONNREFUSED): the future is done already";
    EXPECT_FALSE(loop.remove_writer(refused.get())) << "ch04.connect_async: and no writer";
    std::string what;
    EXPECT_EQ(error_code_of(loop, failed, what), ECONNREFUSED)
        << "ch04.connect_async: the errno of connect() as std::system_error(.., \"connect\")";

    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0) << "test set-up: pipe()";
    aio::UniqueFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
    Future<void> not_a_socket = aio::connect_async(loop, read_end.get(), server.port());
    ASSERT_TRUE(not_a_socket.done())
        << "ch04.connect_async: connect() on a pipe fails at once (ENOTSOCK): done already";
    EXPECT_EQ(error_code_of(loop, not_a_socket, what), ENOTSOCK)
        << "ch04.connect_async: the errno of connect() as std::system_error(.., \"connect\")";
    looplab::expect_no_reports(reports, "ch04.connect_async");
}

// ---------------------------------------------------------------- ch04.send_all_async

// 6 MiB: no single non-blocking send() takes it; the peer drains it meanwhile.
TEST(SendAllAsync, SendsEverythingThenFinishes) {
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "send_all_async");
    looplab::RecordedReports reports(loop);
    auto [mine, peer] = looplab::socket_pair();
    std::string data(6 << 20, 'x');
    data.back() = '!';
    std::string received;
    loop.add_reader(peer.get(), [&, fd = peer.get()] {
        char buffer[65536];
        ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n > 0) received.append(buffer, static_cast<std::size_t>(n));
    });
    EXPECT_NO_THROW(aio::run_until_complete(loop, aio::send_all_async(loop, mine.get(), data)))
        << "ch04.send_all_async: all sent: set_result()";
    EXPECT_FALSE(loop.remove_writer(mine.get()))
        << "ch04.send_all_async: once all is out, remove the writer";
    for (int pass = 0; pass < 1000 && received.size() < data.size(); ++pass)
        looplab::run_one_iteration(loop);
    loop.remove_reader(peer.get());
    EXPECT_EQ(received.size(), data.size())
        << "ch04.send_all_async: every byte arrives: when send() takes only part, send the rest "
           "from the writer the next time the socket is writable";
    EXPECT_TRUE(received == data) << "ch04.send_all_async: in order, each byte once";
    EXPECT_FALSE(watchdog.fired()) << "ch04.send_all_async: the future never finished";
    looplab::expect_no_reports(reports, "ch04.send_all_async");
}

TEST(SendAllAsync, AFailedSendIsTheFuturesException) {
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "send_all_async");
    looplab::RecordedReports reports(loop);
    auto [mine, peer] = looplab::socket_pair();
    peer.reset(); // nobody to send to: EPIPE
    std::string what;
    EXPECT_EQ(error_code_of(loop, aio::send_all_async(loop, mine.get(), "hello\n"), what), EPIPE)
        << "ch04.send_all_async: a send() that fails (EPIPE) is the future's exception";
    EXPECT_NE(what.find("send"), std::string::npos)
        << "ch04.send_all_async: the given send_some() names the call; got: " << what;
    EXPECT_FALSE(loop.remove_writer(mine.get()))
        << "ch04.send_all_async: a failed send removes its writer too";
    looplab::expect_no_reports(reports, "ch04.send_all_async");
}

// ---------------------------------------------------------------- ch04.read_line_async

TEST(ReadLineAsync, ReadsUpToTheNewlineInPieces) {
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "read_line_async");
    looplab::RecordedReports reports(loop);
    auto [mine, peer] = looplab::socket_pair();
    ASSERT_EQ(::send(peer.get(), "hel", 3, 0), 3) << "test set-up: send";
    loop.call_later(20ms, [fd = peer.get()] { (void)::send(fd, "lo\nnext", 7, 0); });
    Future<std::string> line = aio::read_line_async(loop, mine.get(), 0);
    EXPECT_EQ(aio::run_until_complete(loop, line), "hello")
        << "ch04.read_line_async: the bytes up to the newline, without it, gathered over "
           "several reads";
    EXPECT_FALSE(loop.remove_reader(mine.get()))
        << "ch04.read_line_async: once the line is in, remove the reader";
    EXPECT_FALSE(watchdog.fired()) << "ch04.read_line_async: the future never finished";
    looplab::expect_no_reports(reports, "ch04.read_line_async");
}

TEST(ReadLineAsync, PeerClosingFirstIsClosedMidAnswer) {
    EventLoop loop;
    looplab::Watchdog watchdog(loop, 5s, "read_line_async");
    looplab::RecordedReports reports(loop);
    auto [mine, peer] = looplab::socket_pair();
    ASSERT_EQ(::send(peer.get(), "half", 4, 0), 4) << "test set-up: send";
    peer.reset();
    try {
        aio::run_until_complete(loop, aio::read_line_async(loop, mine.get(), 3));
        FAIL() << "ch04.read_line_async: the peer closed before the newline: an error, not a line";
    } catch (const aio::NotImplemented&) {
        throw;
    } catch (const aio::Error& e) {
        EXPECT_NE(std::string(e.what()).find("closed"), std::string::npos)
            << "ch04.read_line_async: set aio::closed_mid_answer(bytes, index) as the "
               "exception; got: "
            << e.what();
    }
    EXPECT_FALSE(loop.remove_reader(mine.get()))
        << "ch04.read_line_async: a failed read removes its reader too";
    looplab::expect_no_reports(reports, "ch04.read_line_async");
}
