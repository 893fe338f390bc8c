// Socket helpers for the kit's clients (see net.hpp).
#include "net.hpp"

#include <cerrno>
#include <system_error>

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace aio {

namespace {
[[noreturn]] void throw_errno(const char* call) {
    throw std::system_error(errno, std::generic_category(), call);
}
} // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
}

int UniqueFd::release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
}

void UniqueFd::reset(int fd) {
    // close() is not retried on EINTR: on Linux the fd is gone either way.
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

sockaddr_in loopback_address(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

UniqueFd tcp_socket(bool nonblocking) {
    UniqueFd socket_fd(::socket(AF_INET, SOCK_STREAM, 0));
    if (!socket_fd) throw_errno("socket");
    // FD_CLOEXEC: a child process started meanwhile must not inherit our sockets.
    if (::fcntl(socket_fd.get(), F_SETFD, FD_CLOEXEC) < 0) throw_errno("fcntl");
    if (nonblocking) set_nonblocking(socket_fd.get());
    return socket_fd;
}

UniqueFd connect_to(std::uint16_t port) {
    UniqueFd socket_fd = tcp_socket();
    sockaddr_in address = loopback_address(port);
    // A blocking connect interrupted by a signal keeps connecting in the background;
    // retrying would fail with EALREADY, so EINTR is reported like any other error.
    if (::connect(socket_fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) < 0)
        throw_errno("connect");
    return socket_fd;
}

void set_nonblocking(int fd) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) throw_errno("fcntl");
}

void send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR) continue;
            throw_errno("send");
        }
        data.remove_prefix(static_cast<std::size_t>(sent));
    }
}

} // namespace aio
