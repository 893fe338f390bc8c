// Graded tests, the sock_* awaitables (sock_ops.cpp) on socket pairs.
#include <gtest/gtest.h>

#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <string>
#include <sys/wait.h>
#include <system_error>
#include <thread>

#include "streams_test_helpers.hpp"

using aio::Coro;
using aio::EventLoop;
using namespace looplab;

namespace {
Coro<std::string> recv_twice(int fd, std::size_t first, std::string* second) {
    std::string a = co_await aio::sock_recv(fd, first);
    *second = co_await aio::sock_recv(fd, 100);
    co_return a;
}
} // namespace

TEST(Sock, RecvReturnsWhatIsThereAndEmptyAtEof) {
    auto [mine, peer] = socket_pair();
    std::thread writer([peer = peer] {
        std::this_thread::sleep_for(20ms); // the loop waits for readability meanwhile
        send_all_blocking(peer, "hello world");
        std::this_thread::sleep_for(20ms);
        ::shutdown(peer, SHUT_WR);
    });
    EventLoop loop;
    std::string rest;
    std::string first = run_bounded(loop, recv_twice(mine, 5, &rest));
    std::string at_eof = run_bounded(loop, aio::sock_recv(mine, 100));
    writer.join();
    ::close(mine);
    ::close(peer);
    EXPECT_EQ(first, "hello") << "ch10.sock_recv: at most max_bytes, once the data is there";
    EXPECT_EQ(rest, " world") << "ch10.sock_recv: a partial read leaves the rest for the next";
    EXPECT_EQ(at_eof, "") << "ch10.sock_recv: the peer's EOF reads as an empty string";
}

TEST(Sock, RecvOnAResetConnectionIsConnectionResetError) {
    auto [mine, peer] = tcp_pair();
    close_with_reset(peer);
    EventLoop loop;
    EXPECT_THROW(run_bounded(loop, aio::sock_recv(mine, 100)), aio::ConnectionResetError)
        << "ch10.sock_recv: ECONNRESET is ConnectionResetError";
    ::close(mine);
}

TEST(Sock, SendallWritesEveryByteThroughPartialSends) {
    auto [mine, peer] = socket_pair();
    std::string data = pattern(4 << 20); // far more than the socket buffer
    std::string received;
    std::thread reader([&, peer = peer] { received = read_to_eof(peer); });
    EventLoop loop;
    run_bounded(loop, aio::sock_sendall(mine, data));
    ::shutdown(mine, SHUT_WR);
    reader.join();
    ::close(mine);
    ::close(peer);
    EXPECT_EQ(received.size(), data.size()) << "ch10.sock_sendall: every byte, however many sends";
    EXPECT_TRUE(received == data) << "ch10.sock_sendall: the bytes in order";
}

// The test binary ignores SIGPIPE (test_main.cpp), which would hide a send
// without MSG_NOSIGNAL: so the send runs in a child with SIGPIPE's default.
TEST(Sock, SendallToAClosedPeerIsBrokenPipeNotSigpipe) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0) << "fork";
    if (child == 0) {
        std::signal(SIGPIPE, SIG_DFL);
        auto [mine, peer] = socket_pair();
        ::close(peer);
        EventLoop loop;
        try {
            run_bounded(loop, aio::sock_sendall(mine, pattern(1 << 20)));
        } catch (const aio::BrokenPipeError&) {
            ::_exit(0);
        } catch (...) {
            ::_exit(2);
        }
        ::_exit(3);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_FALSE(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE)
        << "ch10.sock_sendall: the send killed the process with SIGPIPE (send with MSG_NOSIGNAL)";
    ASSERT_TRUE(WIFEXITED(status)) << "ch10.sock_sendall: the sending process crashed";
    EXPECT_NE(WEXITSTATUS(status), 3) << "ch10.sock_sendall: a send to a closed peer must throw";
    EXPECT_EQ(WEXITSTATUS(status), 0) << "ch10.sock_sendall: EPIPE is BrokenPipeError";
}

// Data already there: the first recv gets it, in the task's first step.
TEST(Sock, RecvTriesBeforeWaiting) {
    auto [mine, peer] = socket_pair();
    send_all_blocking(peer, "ready");
    EventLoop loop;
    aio::Task<std::string> task = aio::create_task(loop, aio::sock_recv(mine, 100));
    loop.run_once(); // the task's first step
    bool done_at_once = task.done();
    run_bounded(loop, aio::sleep(0ms)); // let a task that waited finish, then end
    ::close(mine);
    ::close(peer);
    EXPECT_TRUE(done_at_once)
        << "ch10.sock_recv: data already buffered is returned by the first recv, without "
           "waiting for readiness first";
    ASSERT_TRUE(task.done()) << "ch10.sock_recv: the data was there";
    EXPECT_EQ(task.result(), "ready") << "ch10.sock_recv: the bytes that were there";
}

namespace {
sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    return address;
}

Coro<std::string> connect_to(std::uint16_t port) {
    int client = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in address = loopback(port);
    std::exception_ptr failure;
    try {
        co_await aio::sock_connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address);
    } catch (...) {
        failure = std::current_exception();
    }
    ::close(client);
    if (failure) std::rethrow_exception(failure);
    co_return "connected";
}

Coro<int> accept_one(int listener) {
    co_return co_await aio::sock_accept(listener);
}
} // namespace

TEST(Sock, ConnectReachesAListenerOrIsRefused) {
    std::uint16_t port = 0;
    int listener = listen_loopback(&port);
    EventLoop loop;
    EXPECT_EQ(run_bounded(loop, connect_to(port)), "connected")
        << "ch10.sock_connect: a listener on 127.0.0.1 accepts the connection";
    ::close(listener);
    EXPECT_THROW(run_bounded(loop, connect_to(port)), aio::ConnectionRefusedError)
        << "ch10.sock_connect: nobody listening: SO_ERROR says ECONNREFUSED";
}

TEST(Sock, AcceptWaitsForAClientAndGivesANonBlockingFd) {
    std::uint16_t port = 0;
    int listener = listen_loopback(&port);
    set_nonblocking(listener);
    std::thread client([port] {
        std::this_thread::sleep_for(20ms); // the accept waits meanwhile
        int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address = loopback(port);
        ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
        ::send(fd, "hi", 2, 0);
        ::close(fd);
    });
    EventLoop loop;
    int served = run_bounded(loop, accept_one(listener));
    client.join();
    char got[2] = {};
    ssize_t n = ::recv(served, got, 2, MSG_WAITALL);
    int flags = ::fcntl(served, F_GETFL);
    ::close(served);
    ::close(listener);
    EXPECT_EQ(std::string(got, n > 0 ? n : 0), "hi") << "ch10.sock_accept: the client's connection";
    EXPECT_TRUE(flags & O_NONBLOCK) << "ch10.sock_accept: the accepted fd is non-blocking";
}

TEST(Errors, OsErrorMapsTheConnectionErrnos) {
    auto kind = [](int err) -> std::string {
        try {
            std::rethrow_exception(aio::os_error(err, "recv"));
        } catch (const aio::ConnectionResetError&) {
            return "reset";
        } catch (const aio::ConnectionRefusedError&) {
            return "refused";
        } catch (const aio::BrokenPipeError&) {
            return "pipe";
        } catch (const aio::ConnectionAbortedError&) {
            return "aborted";
        } catch (const std::system_error& e) {
            return e.code().value() == err ? "system_error" : "wrong errno";
        } catch (...) {
        }
        return "something else";
    };
    EXPECT_NO_THROW(aio::os_error(ECONNRESET, "recv"))
        << "ch10.os_error: returns the exception, never throws it (a transport hands it on)";
    EXPECT_EQ(kind(ECONNRESET), "reset") << "ch10.os_error: ECONNRESET";
    EXPECT_EQ(kind(ECONNREFUSED), "refused") << "ch10.os_error: ECONNREFUSED";
    EXPECT_EQ(kind(EPIPE), "pipe") << "ch10.os_error: EPIPE";
    EXPECT_EQ(kind(ECONNABORTED), "aborted") << "ch10.os_error: ECONNABORTED";
    EXPECT_EQ(kind(EADDRINUSE), "system_error") << "ch10.os_error: any other errno";
    try {
        std::rethrow_exception(aio::os_error(ECONNRESET, "recv"));
    } catch (const aio::ConnectionError& e) {
        EXPECT_STREQ(e.what(), "recv: Connection reset by peer")
            << "ch10.os_error: the message names the call, then strerror";
    }
}
