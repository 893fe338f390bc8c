// The sock_* awaitables: one system call, and on EAGAIN one wait for readiness,
// again until done (asyncio: _sock_recv, _sock_sendall, _sock_connect_cb).
#include "sock_ops.hpp"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <vector>

#include "task.hpp"

namespace aio {

namespace {
// Removes the fd's reader (writer) when the waiting frame ends, however it ends.
class RemoveWatcherOnExit {
public:
    RemoveWatcherOnExit(EventLoop& loop, int fd, bool reading)
        : loop_(loop), fd_(fd), reading_(reading) {}
    ~RemoveWatcherOnExit() { reading_ ? loop_.remove_reader(fd_) : loop_.remove_writer(fd_); }
    RemoveWatcherOnExit(const RemoveWatcherOnExit&) = delete;
    RemoveWatcherOnExit& operator=(const RemoveWatcherOnExit&) = delete;

private:
    EventLoop& loop_;
    int fd_;
    bool reading_;
};

} // namespace

Coro<void> detail::sock_wait(int fd, bool reading) {
    EventLoop& loop = get_running_loop();
    Future<void> ready(loop);
    auto fire = [ready]() mutable {
        if (!ready.done()) ready.set_result();
    };
    if (reading)
        loop.add_reader(fd, std::move(fire));
    else
        loop.add_writer(fd, std::move(fire));
    RemoveWatcherOnExit remove(loop, fd, reading);
    co_await ready;
}

namespace {
bool would_block(int err) {
    return err == EAGAIN || err == EWOULDBLOCK;
}
} // namespace

Coro<std::string> sock_recv(int fd, std::size_t max_bytes) {
    //@scratch ch10.sock_recv
    //@exercise ch10.sock_recv  Try recv; on EAGAIN wait until readable and try again.
    std::string data(max_bytes, '\0');
    for (;;) {
        ssize_t got = ::recv(fd, data.data(), max_bytes, 0);
        if (got >= 0) {
            data.resize(static_cast<std::size_t>(got));
            co_return data;
        }
        if (errno == EINTR) continue;
        if (!would_block(errno)) throw_os_error(errno, "recv");
        co_await detail::sock_wait(fd, true);
    }
    //@end
    //@end
}

Coro<void> sock_sendall(int fd, std::string data) {
    //@scratch ch10.sock_sendall
    //@exercise ch10.sock_sendall  Send the rest until none is left; on EAGAIN wait until writable.
    std::size_t sent = 0;
    while (sent < data.size()) {
        ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n >= 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (errno == EINTR) continue;
        if (!would_block(errno)) throw_os_error(errno, "send");
        co_await detail::sock_wait(fd, false);
    }
    //@end
    //@end
}

// connect() on a non-blocking socket answers EINPROGRESS; the outcome is known
// when the socket turns writable, from SO_ERROR (asyncio: _sock_connect_cb).
namespace {
Coro<void> connect_copied(int fd, std::vector<char> address) {
    //@scratch ch10.sock_connect
    //@exercise ch10.sock_connect  connect; EINPROGRESS: wait writable, then read SO_ERROR.
    const auto* target = reinterpret_cast<const sockaddr*>(address.data());
    auto size = static_cast<socklen_t>(address.size());
    if (::connect(fd, target, size) == 0) co_return;
    if (errno != EINPROGRESS && errno != EINTR) throw_os_error(errno, "connect");
    co_await detail::sock_wait(fd, false);
    int err = 0;
    socklen_t err_size = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_size) != 0)
        throw_os_error(errno, "getsockopt");
    if (err != 0) throw_os_error(err, "connect");
    //@end
    //@end
}
} // namespace

Coro<void> sock_connect(int fd, const sockaddr* address, socklen_t length) {
    const char* bytes = reinterpret_cast<const char*>(address);
    return connect_copied(fd, std::vector<char>(bytes, bytes + length));
}

Coro<int> sock_accept(int listening_fd) {
    //@scratch ch10.sock_accept
    //@exercise ch10.sock_accept  accept4; EAGAIN: wait until readable; EINTR, ECONNABORTED: again.
    for (;;) {
        int fd = ::accept4(listening_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) co_return fd;
        if (errno == EINTR || errno == ECONNABORTED) continue; // a client gave up: next
        if (!would_block(errno)) throw_os_error(errno, "accept");
        co_await detail::sock_wait(listening_fd, true);
    }
    //@end
    //@end
}

} // namespace aio
