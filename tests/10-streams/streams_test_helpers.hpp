// Helpers for the chapter 10 tests: socket pairs (a Unix pair, a loopback TCP
// pair), a bounded task run, a peer thread on a blocking socket.
#pragma once

#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

#include "streams.hpp"
#include "task.hpp"

namespace looplab {

using namespace std::chrono_literals;

inline void set_nonblocking(int fd) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// A connected Unix socket pair: first non-blocking (the loop's end), second
// blocking (the test's peer).
inline std::pair<int, int> socket_pair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        throw std::runtime_error("socketpair");
    set_nonblocking(fds[0]);
    return {fds[0], fds[1]};
}

// A listening socket on 127.0.0.1 with an ephemeral port (blocking).
inline int listen_loopback(std::uint16_t* port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd, 16) != 0)
        throw std::runtime_error("listen on 127.0.0.1");
    socklen_t size = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
    *port = ntohs(address.sin_port);
    return fd;
}

// A connected loopback TCP pair: first non-blocking, second blocking. TCP,
// not Unix, where a test needs a reset (RST).
inline std::pair<int, int> tcp_pair() {
    std::uint16_t port = 0;
    int listener = listen_loopback(&port);
    int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
        throw std::runtime_error("connect to 127.0.0.1");
    int served = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    ::close(listener);
    set_nonblocking(client);
    return {client, served};
}

// Closes with a reset (RST) instead of a FIN: SO_LINGER with a zero timeout.
inline void close_with_reset(int fd) {
    linger hard{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    ::close(fd);
}

// Every byte the blocking fd gives until EOF.
inline std::string read_to_eof(int fd) {
    std::string all;
    char chunk[65536];
    for (;;) {
        ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return all;
        all.append(chunk, static_cast<std::size_t>(n));
    }
}

inline void send_all_blocking(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        sent += static_cast<std::size_t>(n);
    }
}

// Runs coro as a task of a fresh loop, at most `limit` of real time; returns
// its result or rethrows; InvalidStateError "Result is not set." if it hung.
template <class T>
T run_bounded(aio::EventLoop& loop, aio::Coro<T> coro, aio::Duration limit = 20s) {
    aio::Task<T> task = aio::create_task(loop, std::move(coro));
    aio::TimerHandle guard = loop.call_later(limit, [&loop] { loop.stop(); });
    try {
        aio::run_until_complete(loop, aio::Future<T>(task));
    } catch (...) {
    }
    guard.cancel();
    return task.result();
}

// A line of `size` bytes (the last one a newline) that says where it is from.
inline std::string pattern(std::size_t size, char seed = 'a') {
    std::string text(size, ' ');
    for (std::size_t i = 0; i < size; ++i)
        text[i] = static_cast<char>(seed + i % 23);
    return text;
}

// Keeps every report the loop's exception handler receives.
struct RecordedReports {
    explicit RecordedReports(aio::EventLoop& loop) {
        loop.set_exception_handler([this](aio::EventLoop&, const aio::ExceptionContext& context) {
            messages.push_back(context.message);
            errors.push_back(context.exception);
        });
    }
    std::vector<std::string> messages;
    std::vector<std::exception_ptr> errors;
};

} // namespace looplab
