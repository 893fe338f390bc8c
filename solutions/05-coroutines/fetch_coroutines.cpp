// The coroutine client (see fetch_coroutines.hpp).
#include "fetch_coroutines.hpp"

#include <cerrno>
#include <system_error>

#include <sys/socket.h>

#include "fetch.hpp"
#include "net.hpp"

namespace aio {

namespace {

[[noreturn]] void throw_errno(int error, const char* call) {
    throw std::system_error(error, std::generic_category(), call);
}

// Removes the watcher when the waiting frame ends, however it ends.
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

Coro<void> wait_ready(int fd, bool reading) {
    //@scratch ch05.wait_ready
    //@exercise ch05.wait_ready  Await a future the watcher resolves; remove the watcher.
    EventLoop& loop = get_running_loop();
    Future<void> ready(loop);
    auto resolve = [ready]() mutable {
        if (!ready.done()) ready.set_result();
    };
    reading ? loop.add_reader(fd, resolve) : loop.add_writer(fd, resolve);
    RemoveWatcherOnExit cleanup(loop, fd, reading);
    co_await ready;
    //@end
    //@end
}

// Every request in a task, then the answers in request order.
Coro<std::vector<std::string>> fetch_all(std::uint16_t port, std::vector<std::string> requests) {
    //@scratch ch05.fetch_all
    //@exercise ch05.fetch_all  A task per request, then the answers in order.
    std::vector<Task<std::string>> tasks;
    for (std::size_t i = 0; i < requests.size(); ++i)
        tasks.push_back(create_task(fetch_one_async(port, requests[i], i)));
    std::vector<std::string> answers;
    for (Task<std::string>& task : tasks)
        answers.push_back(co_await task);
    co_return answers;
    //@end
    //@end
}

} // namespace

Coro<void> wait_readable(int fd) {
    return wait_ready(fd, true);
}
Coro<void> wait_writable(int fd) {
    return wait_ready(fd, false);
}

// A non-blocking connect: EINPROGRESS, then writable, then SO_ERROR says how it went.
Coro<void> connect_async(int fd, std::uint16_t port) {
    //@scratch ch05.connect
    //@exercise ch05.connect  Connect; wait until writable; throw SO_ERROR if set.
    sockaddr_in address = loopback_address(port);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) co_return;
    if (errno != EINPROGRESS) throw_errno(errno, "connect");
    co_await wait_writable(fd);
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) < 0)
        throw_errno(errno, "getsockopt");
    if (error != 0) throw_errno(error, "connect");
    //@end
    //@end
}

Coro<void> send_all_async(int fd, std::string data) {
    //@scratch ch05.send_all
    //@exercise ch05.send_all  Send it all; wait until writable on EAGAIN.
    std::size_t sent = 0;
    while (sent < data.size()) {
        ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n >= 0)
            sent += static_cast<std::size_t>(n);
        else if (errno == EAGAIN || errno == EWOULDBLOCK)
            co_await wait_writable(fd);
        else if (errno != EINTR)
            throw_errno(errno, "send");
    }
    //@end
    //@end
}

Coro<std::string> read_line_async(int fd, std::size_t index) {
    //@scratch ch05.read_line
    //@exercise ch05.read_line  Receive up to a newline; wait until readable on EAGAIN.
    std::string received;
    char buffer[512];
    while (received.find('\n') == std::string::npos) {
        ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n > 0)
            received.append(buffer, static_cast<std::size_t>(n));
        else if (n == 0)
            throw closed_mid_answer(received.size(), index);
        else if (errno == EAGAIN || errno == EWOULDBLOCK)
            co_await wait_readable(fd);
        else if (errno != EINTR)
            throw_errno(errno, "recv");
    }
    co_return received.substr(0, received.find('\n'));
    //@end
    //@end
}

Coro<std::string> fetch_one_async(std::uint16_t port, std::string request, std::size_t index) {
    //@scratch ch05.fetch_one
    //@exercise ch05.fetch_one  Socket, connect, send the line, read the answer line.
    UniqueFd socket = tcp_socket(/*nonblocking=*/true);
    co_await connect_async(socket.get(), port);
    co_await send_all_async(socket.get(), request + "\n");
    co_return co_await read_line_async(socket.get(), index);
    //@end
    //@end
}

std::vector<std::string> fetch_with_coroutines(std::uint16_t port,
                                               const std::vector<std::string>& requests) {
    return run(fetch_all(port, requests)); // fetch_all copies: the vector outlives nothing here
}

} // namespace aio
