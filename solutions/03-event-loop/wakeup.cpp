// The loop's wake-up fd: an eventfd on Linux, a self-pipe elsewhere
// (asyncio: BaseSelectorEventLoop._make_self_pipe, _write_to_self, _read_from_self).
#include "wakeup.hpp"

#include <cerrno>
#include <cstdint>
#include <fcntl.h>
#include <system_error>
#include <unistd.h>

#ifdef __linux__
#include <sys/eventfd.h>
#endif

namespace aio::detail {

namespace {
[[noreturn]] void throw_errno(const char* call) {
    throw std::system_error(errno, std::generic_category(), call);
}

#ifndef __linux__
void make_nonblocking(int fd) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) throw_errno("fcntl");
    if (::fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) throw_errno("fcntl");
}
#endif
} // namespace

#ifdef __linux__
Wakeup::Wakeup() {
    read_fd_ = write_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (read_fd_ < 0) throw_errno("eventfd");
}
#else
Wakeup::Wakeup() {
    int fds[2];
    if (::pipe(fds) < 0) throw_errno("pipe");
    read_fd_ = fds[0];
    write_fd_ = fds[1];
    make_nonblocking(read_fd_);
    make_nonblocking(write_fd_);
}
#endif

Wakeup::~Wakeup() {
    if (write_fd_ != read_fd_) ::close(write_fd_);
    ::close(read_fd_);
}

void Wakeup::notify() {
    // eventfd wants exactly 8 bytes; a pipe takes them as well.
    std::uint64_t one = 1;
    while (::write(write_fd_, &one, sizeof one) < 0 && errno == EINTR) {
    }
    // EAGAIN: the counter or the pipe is full, so the fd is readable already.
}

void Wakeup::drain() {
    std::uint64_t buffer[16];
    for (;;) {
        ssize_t n = ::read(read_fd_, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        // An eventfd empties in one read; a pipe may hold more than one buffer.
        if (n <= 0 || read_fd_ == write_fd_ || static_cast<std::size_t>(n) < sizeof buffer) return;
    }
}

} // namespace aio::detail
