// Socket calls as awaitables: try the call, and when the socket is not ready,
// wait for readiness through add_reader/add_writer (asyncio: loop.sock_recv,
// sock_sendall, sock_connect, sock_accept in selector_events.py).
#pragma once

#include <cstddef>
#include <string>
#include <sys/socket.h>

#include "coro.hpp"
#include "stream_errors.hpp"

namespace aio {

// fd must be non-blocking. A cancelled call removes its reader/writer. The
// arguments are copied at the call: the Coro is lazy, a view would dangle.
Coro<std::string> sock_recv(int fd, std::size_t max_bytes); // "" at EOF
Coro<void> sock_sendall(int fd, std::string data);          // MSG_NOSIGNAL: EPIPE, not SIGPIPE
Coro<void> sock_connect(int fd, const sockaddr* address, socklen_t length); // the address is copied
Coro<int> sock_accept(int listening_fd); // a non-blocking, close-on-exec fd

namespace detail {
// One wait for readiness: resumes once fd is readable (reading) or writable.
// The reader/writer is removed however the wait ends, a cancel included.
Coro<void> sock_wait(int fd, bool reading);
} // namespace detail

} // namespace aio
