// The loop's wake-up fd: an eventfd on Linux, a self-pipe elsewhere
// (asyncio: BaseSelectorEventLoop._make_self_pipe, _write_to_self, _read_from_self).
#include "wakeup.hpp"

#include "aio_base.hpp"

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

// Every error write() can give here, and what it means:
// - EINTR: a signal arrived before anything was written: write again.
// - EAGAIN (EWOULDBLOCK): the eventfd counter or the pipe is full, so fd() is
//   readable already; a wake-up is all we want, and it is there.
// - EBADF, EPIPE, EINVAL, EFAULT: the fd was closed under us, the pipe's read
//   end is gone, or the 8 bytes were refused. Each is a bug (a Wakeup used
//   after its loop was destroyed, an fd closed by someone else): throw, as for
//   every other failed system call, rather than let a post wait unseen.
//   (asyncio's _write_to_self ignores OSError and logs it in debug mode.)
void Wakeup::notify() {
    //@scratch ch03.wakeup_notify
    //@exercise ch03.wakeup_notify  Make fd() readable, never blocking; handle every write error.
    std::uint64_t one = 1; // eventfd wants exactly 8 bytes; a pipe takes them as well
    for (;;) {
        if (::write(write_fd_, &one, sizeof one) >= 0) return;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        throw_errno("write (wake-up fd)");
    }
    //@end
    //@end
}

// read() errors: EINTR, read again; EAGAIN, nothing (more) to read: done. Any
// other is a bug, as for notify(), and throws.
void Wakeup::drain() {
    if (before_drain_) before_drain_(); // tests only (wakeup.hpp): empty in a program
    //@scratch ch03.wakeup_drain
    //@exercise ch03.wakeup_drain  Read until fd() is not readable; handle every read error.
    std::uint64_t buffer[16];
    for (;;) {
        ssize_t n = ::read(read_fd_, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) throw_errno("read (wake-up fd)");
        // An eventfd empties in one read; a pipe may hold more than one buffer.
        if (n <= 0 || read_fd_ == write_fd_ || static_cast<std::size_t>(n) < sizeof buffer) return;
    }
    //@end
    //@end
}

} // namespace aio::detail
