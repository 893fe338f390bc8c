// Graded tests: the coroutine client's steps, each on its own (socket pairs
// and the slow local server): readiness as an awaitable, a non-blocking
// connect, sending everything, reading a line, one whole request.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
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
Coro<std::string> drain(int fd, std::size_t bytes) {
    std::string received;
    char buffer[65536];
    while (received.size() < bytes) {
        ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n > 0)
            received.append(buffer, static_cast<std::size_t>(n));
        else if (n == 0)
            break;
        else
            co_await aio::wait_readable(fd);
    }
    co_return received;
}

Coro<std::string> send_and_drain(int out, int in, std::string data) {
    std::size_t size = data.size();
    Task<std::string> reader = aio::create_task(drain(in, size));
    co_await aio::send_all_async(out, std::move(data));
    co_return co_await reader;
}

// Bytes with no short period, so a piece sent twice or out of place shows.
std::string patterned(std::size_t size) {
    std::string data(size, '\0');
    std::uint32_t x = 12345;
    for (char& c : data) {
        x = x * 1103515245u + 12345u;
        c = static_cast<char>(x >> 24);
    }
    return data;
}

// Where two strings first differ; the shorter one's size if one is a prefix.
std::size_t first_difference(const std::string& a, const std::string& b) {
    std::size_t n = std::min(a.size(), b.size());
    return static_cast<std::size_t>(std::mismatch(a.begin(), a.begin() + n, b.begin()).first -
                                    a.begin());
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

// The watcher only resolves the future; the task may have been cancelled in the
// same pass, before the watcher ran (asyncio's sock_recv: `if not fut.done()`).
TEST(FetchCoroutines, ACancelInThePassTheSocketBecomesReadableWinsWithoutAnError) {
    looplab::VirtualLoop v;
    looplab::RecordedReports reports(v.loop);
    SocketPair pair;
    Events events;
    Task<void> task = aio::create_task(v.loop, waits_readable(pair.mine.get(), &events));
    v.loop.call_later(10ms, [&] {
        pair.write("x"); // readable at the next pass's select
        // Queued now, so it runs in that pass before the reader's callback.
        v.loop.call_soon([&] { task.cancel("before the reader ran"); });
    });
    looplab::run_until_done(v.loop, aio::Future<void>(task), 5s);
    EXPECT_TRUE(task.cancelled())
        << "ch05.wait_ready: the cancel came first in the pass, so the wait ends cancelled";
    EXPECT_EQ(reports.messages.size(), 0u)
        << "ch05.wait_ready: the reader ran after the cancel, in the same pass: it must set the "
           "future only if it is not done yet, not raise InvalidStateError into the loop's "
           "exception handler; first report: "
        << (reports.messages.empty() ? "" : reports.messages.front());
    EXPECT_FALSE(v.loop.remove_reader(pair.mine.get()))
        << "ch05.wait_ready: the cancelled wait removes its reader";
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
    std::string data = patterned(4 * 1024 * 1024); // far more than a socket buffer
    std::string received = run_task(loop, send_and_drain(pair.mine.get(), pair.theirs.get(), data));
    EXPECT_EQ(received.size(), data.size())
        << "ch05.send_all: every byte must arrive: on EAGAIN wait until writable, then go on";
    EXPECT_TRUE(received == data)
        << "ch05.send_all: the bytes must arrive in order, each once: after a partial send, send "
           "the rest (from data plus what was sent), not from the start; first difference at "
           "byte "
        << first_difference(received, data);
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
