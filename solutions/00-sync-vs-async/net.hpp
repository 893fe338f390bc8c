// Socket helpers for the kit's clients: an owning fd, loopback connects, send_all.
// Given code, not exercises: later chapters reuse them (asyncio: the socket module).
#pragma once

#include <cstdint>
#include <string_view>

#include <netinet/in.h>

namespace aio {

// Owns one file descriptor and closes it exactly once; move-only, like std::unique_ptr.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() { reset(); }

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    int release();           // gives up ownership; returns the fd
    void reset(int fd = -1); // closes the current fd (if any), then owns fd

private:
    int fd_ = -1;
};

// 127.0.0.1:port. The kit talks to local servers only.
sockaddr_in loopback_address(std::uint16_t port);

// A new TCP socket; non-blocking if asked (SOCK_NONBLOCK where the system has it).
// Throws std::system_error("socket").
UniqueFd tcp_socket(bool nonblocking = false);

// A blocking TCP connection to 127.0.0.1:port. Throws std::system_error("connect"),
// e.g. "connect: Connection refused" when nothing listens there.
UniqueFd connect_to(std::uint16_t port);

// O_NONBLOCK: from now on, a call that would wait fails with EAGAIN instead.
// Throws std::system_error("fcntl").
void set_nonblocking(int fd);

// Sends every byte on a blocking socket: send() may take only part of the data.
// Uses MSG_NOSIGNAL, so a peer that hung up gives std::system_error("send", EPIPE)
// instead of killing the process with SIGPIPE.
void send_all(int fd, std::string_view data);

} // namespace aio
