// Graded tests, the sock_* awaitables (sock_ops.cpp) on socket pairs.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <string>
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

TEST(Sock, SendallToAClosedPeerIsBrokenPipeNotSigpipe) {
    auto [mine, peer] = socket_pair();
    ::close(peer);
    EventLoop loop;
    EXPECT_THROW(run_bounded(loop, aio::sock_sendall(mine, pattern(1 << 20))), aio::BrokenPipeError)
        << "ch10.sock_sendall: EPIPE is BrokenPipeError (MSG_NOSIGNAL, no SIGPIPE)";
    ::close(mine);
}

namespace {
Coro<std::string> connect_and_accept(int listener, std::uint16_t port) {
    int client = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    co_await aio::sock_connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address);
    int served = co_await aio::sock_accept(listener);
    ::send(client, "hi", 2, 0);
    char got[2] = {};
    ::recv(served, got, 2, MSG_WAITALL);
    ::close(client);
    ::close(served);
    co_return std::string(got, 2);
}
} // namespace

TEST(Sock, ConnectAndAcceptOnLoopback) {
    std::uint16_t port = 0;
    int listener = listen_loopback(&port);
    set_nonblocking(listener);
    EventLoop loop;
    EXPECT_EQ(run_bounded(loop, connect_and_accept(listener, port)), "hi")
        << "sock_connect and sock_accept make a working connection";
    ::close(listener);
}
