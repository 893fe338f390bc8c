// Graded tests: the coroutine client's steps, each on its own (socket pairs
// and the slow local server): readiness as an awaitable, a non-blocking
// connect, sending everything, reading a line, one whole request.
#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <system_error>

#include <sys/socket.h>
#include <unistd.h>

#include "fetch_coroutines.hpp"
#include "net.hpp"
#include "slow_server.hpp"
#include "task.hpp"
#include "task_test_helpers.hpp"

using aio::Coro;
using aio::Task;
using looplab::Events;
using looplab::SlowServer;
using namespace std::chrono_literals;

namespace {

// Two connected non-blocking stream sockets, closed at the end of the test.
struct SocketPair {
    SocketPair() {
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) != 0)
            throw std::system_error(errno, std::generic_category(), "socketpair");
        mine = aio::UniqueFd(fds[0]);
        theirs = aio::UniqueFd(fds[1]);
    }
    void write(const std::string& data) const {
        ASSERT_EQ(::send(theirs.get(), data.data(), data.size(), MSG_NOSIGNAL),
                  static_cast<ssize_t>(data.size()))
            << "test set-up: the peer's write";
    }
    aio::UniqueFd mine, theirs;
};

// A loop on the real clock (sockets), with a 5 s guard against a hang.
template <class T>
T run_task(aio::EventLoop& loop, Coro<T> coro) {
    return looplab::run_in_task(loop, std::move(coro));
}

Coro<void> waits_readable(int fd, Events* events) {
    events->push_back("waiting");
    co_await aio::wait_readable(fd);
    events->push_back("readable");
}

// Receives until `bytes` arrived, waiting for readability in between.
Coro<std::size_t> drain(int fd, std::size_t bytes) {
    std::size_t received = 0;
    char buffer[65536];
    while (received < bytes) {
        ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n > 0)
            received += static_cast<std::size_t>(n);
        else if (n == 0)
            break;
        else
            co_await aio::wait_readable(fd);
    }
    co_return received;
}

Coro<std::size_t> send_and_drain(int out, int in, std::string data) {
    std::size_t size = data.size();
    Task<std::size_t> reader = aio::create_task(drain(in, size));
    co_await aio::send_all_async(out, std::move(data));
    co_return co_await reader;
}

Coro<void> connects(std::uint16_t port) {
    aio::UniqueFd socket = aio::tcp_socket(/*nonblocking=*/true);
    co_await aio::connect_async(socket.get(), port);
}

} // namespace

TEST(FetchCoroutines, WaitReadableResumesWhenDataArrivesAndRemovesTheReader) {
    aio::EventLoop loop;
    SocketPair pair;
    Events events;
    loop.call_later(20ms, [&] { pair.write("x"); });
    run_task(loop, waits_readable(pair.mine.get(), &events));
    EXPECT_EQ(events, (Events{"waiting", "readable"}))
        << "ch05.wait_ready: the coroutine must resume once the socket is readable";
    EXPECT_FALSE(loop.remove_reader(pair.mine.get()))
        << "ch05.wait_ready: the reader must be removed when the wait ends";
}

TEST(FetchCoroutines, ACancelledWaitLeavesNoReaderBehind) {
    aio::EventLoop loop;
    SocketPair pair;
    Events events;
    Task<void> task = aio::create_task(loop, waits_readable(pair.mine.get(), &events));
    loop.call_later(20ms, [&] { task.cancel(); });
    looplab::run_until_done(loop, aio::Future<void>(task), 5s);
    EXPECT_TRUE(task.cancelled()) << "ch05.wait_ready: the wait must be cancellable";
    EXPECT_FALSE(loop.remove_reader(pair.mine.get()))
        << "ch05.wait_ready: a cancelled wait must remove its reader however the frame ends";
}

TEST(FetchCoroutines, ConnectAsyncConnectsOrThrowsTheConnectError) {
    aio::EventLoop loop;
    std::uint16_t refused = 0;
    {
        SlowServer server; // a port that was just free: nothing listens there any more
        refused = server.port();
        EXPECT_NO_THROW(run_task(loop, connects(server.port())))
            << "ch05.connect: a listening server accepts the connection";
    }
    try {
        run_task(loop, connects(refused));
        ADD_FAILURE() << "ch05.connect: a refused connection must throw std::system_error";
    } catch (const std::system_error& error) {
        EXPECT_EQ(error.code().value(), ECONNREFUSED)
            << "ch05.connect: the error read with SO_ERROR once the socket is writable";
        EXPECT_NE(std::string(error.what()).find("connect"), std::string::npos)
            << "ch05.connect: the error names the call, got: " << error.what();
    }
}

TEST(FetchCoroutines, SendAllSendsMoreThanTheSocketBufferHolds) {
    aio::EventLoop loop;
    SocketPair pair;
    std::string data(4 * 1024 * 1024, 'z'); // far more than a socket buffer
    EXPECT_EQ(run_task(loop, send_and_drain(pair.mine.get(), pair.theirs.get(), data)), data.size())
        << "ch05.send_all: every byte must arrive: on EAGAIN wait until writable, then go on";
}

TEST(FetchCoroutines, ReadLineReturnsTheLineAcrossSeveralReads) {
    aio::EventLoop loop;
    SocketPair pair;
    loop.call_later(10ms, [&] { pair.write("hel"); });
    loop.call_later(30ms, [&] { pair.write("lo\nrest"); });
    EXPECT_EQ(run_task(loop, aio::read_line_async(pair.mine.get(), 0)), "hello")
        << "ch05.read_line: the bytes up to the newline, received in two pieces, without it";
    SocketPair other;
    other.write("tial");
    ::shutdown(other.theirs.get(), SHUT_WR);
    EXPECT_THROW(run_task(loop, aio::read_line_async(other.mine.get(), 3)), aio::Error)
        << "ch05.read_line: a hang-up before the newline is an aio::Error (closed_mid_answer)";
}

TEST(FetchCoroutines, FetchOneSendsTheLineAndReturnsTheAnswer) {
    aio::EventLoop loop;
    SlowServer server({.delay = 50ms});
    EXPECT_EQ(run_task(loop, aio::fetch_one_async(server.port(), "hello", 0)),
              SlowServer::answer_for("hello"))
        << "ch05.fetch_one: connect, send the request line, return the answer line";
}
