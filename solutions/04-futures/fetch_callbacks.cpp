// The callback client: connect, send, read, each step started by the previous
// one's callback (see fetch_callbacks.hpp).
#include "fetch_callbacks.hpp"

#include <cerrno>
#include <memory>
#include <system_error>

#include <sys/socket.h>

#include "fetch.hpp"
#include "net.hpp"

namespace aio {

namespace {

std::exception_ptr errno_error(int error, const char* call) {
    return std::make_exception_ptr(std::system_error(error, std::generic_category(), call));
}

// One request's world, shared by the callbacks of its steps. The loop holds
// it through the reader or writer callback that is registered at the moment.
struct Connection {
    Connection(EventLoop& loop, std::string line, std::size_t index)
        : loop(loop), answer(loop), out(std::move(line)), index(index) {}

    // Runs one step; its exception becomes the answer's. Nothing runs once the
    // answer is in or the exchange was abandoned.
    template <class Step>
    void step(Step&& run) {
        if (answer.done() || !socket) return;
        try {
            run();
        } catch (...) {
            close();
            answer.set_exception(std::current_exception());
        }
    }
    void resolve() {
        close();
        answer.set_result(in);
    }
    // Unregisters before closing: the fd number may be reused at once.
    void close() {
        if (!socket) return;
        loop.remove_reader(socket.get());
        loop.remove_writer(socket.get());
        socket.reset();
    }

    EventLoop& loop;
    UniqueFd socket;
    Future<std::string> answer;
    std::string out;      // the request line
    std::size_t sent = 0; // bytes of out already sent
    std::string in;       // bytes received so far
    std::size_t index;
};

// Sends what is left of the line; true when all of it is out.
bool send_some(Connection& c) {
    ssize_t sent =
        ::send(c.socket.get(), c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
    if (sent < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return false;
        throw std::system_error(errno, std::generic_category(), "send");
    }
    c.sent += static_cast<std::size_t>(sent);
    return c.sent == c.out.size();
}

// Reads what arrived; true when the newline is in (c.in is then the answer).
bool recv_some(Connection& c) {
    char buffer[4096];
    ssize_t received = ::recv(c.socket.get(), buffer, sizeof buffer, 0);
    if (received < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return false;
        throw std::system_error(errno, std::generic_category(), "recv");
    }
    if (received == 0) throw closed_mid_answer(c.in.size(), c.index);
    std::size_t searched = c.in.size();
    c.in.append(buffer, static_cast<std::size_t>(received));
    std::size_t newline = c.in.find('\n', searched);
    if (newline == std::string::npos) return false;
    c.in.resize(newline);
    return true;
}

// The chain for one request: connected future -> send -> read -> answer future.
// Each step is a callback that registers the next one; nothing here waits.
void start_exchange(const std::shared_ptr<Connection>& c, std::uint16_t port) {
    //@exercise ch04.fetch_callbacks  connect_async -> callback sends (add_writer) -> add_reader.
    // Step 3: read until the newline, which resolves the answer future.
    auto read_answer = [c] {
        c->loop.add_reader(c->socket.get(), [c] {
            c->step([&] {
                if (recv_some(*c)) c->resolve();
            });
        });
    };
    // Step 2: send the line; what did not fit waits for the next writable.
    auto send_line = [c, read_answer] {
        if (send_some(*c)) return read_answer();
        c->loop.add_writer(c->socket.get(), [c, read_answer] {
            c->step([&] {
                if (!send_some(*c)) return;
                c->loop.remove_writer(c->socket.get());
                read_answer();
            });
        });
    };
    // Step 1: when the connected future is done, its callback starts step 2.
    Future<void> connected = connect_async(c->loop, c->socket.get(), port);
    connected.add_done_callback([c, send_line](Future<void> done) {
        c->step([&] {
            done.result(); // rethrows a failed connect into the answer
            send_line();
        });
    });
    //@end
}

// Closes every connection on the way out, however fetch_with_callbacks leaves.
struct CloseAll {
    std::vector<std::shared_ptr<Connection>>& connections;
    ~CloseAll() {
        for (auto& c : connections)
            c->close();
    }
};

} // namespace

// asyncio: loop.sock_connect, written with add_writer and a future.
Future<void> connect_async(EventLoop& loop, int fd, std::uint16_t port) {
    //@exercise ch04.connect_async  connect(); EINPROGRESS: add_writer, SO_ERROR decides the future.
    Future<void> connected(loop);
    sockaddr_in address = loopback_address(port);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
        connected.set_result();
    } else if (errno != EINPROGRESS) {
        connected.set_exception(errno_error(errno, "connect"));
    } else {
        // Writable means the handshake is over; SO_ERROR says how it went.
        loop.add_writer(fd, [fd, connected]() mutable {
            connected.get_loop().remove_writer(fd);
            int error = 0;
            socklen_t length = sizeof error;
            if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) < 0) error = errno;
            if (error != 0)
                connected.set_exception(errno_error(error, "connect"));
            else
                connected.set_result();
        });
    }
    return connected;
    //@end
}

std::vector<std::string> fetch_with_callbacks(EventLoop& loop, std::uint16_t port,
                                              const std::vector<std::string>& requests) {
    // gather, by hand: `all` is done when every answer is, or at the first error.
    Future<void> all(loop);
    auto remaining = std::make_shared<std::size_t>(requests.size());
    std::vector<std::shared_ptr<Connection>> connections;
    CloseAll close_all{connections};
    for (std::size_t i = 0; i < requests.size(); ++i) {
        auto c = std::make_shared<Connection>(loop, requests[i] + "\n", i);
        c->answer.add_done_callback([all, remaining](Future<std::string> answer) mutable {
            std::exception_ptr error = answer.exception(); // retrieved, even when too late
            if (all.done()) return;
            if (error)
                all.set_exception(error);
            else if (--*remaining == 0)
                all.set_result();
        });
        c->socket = tcp_socket(/*nonblocking=*/true);
        connections.push_back(c);
        start_exchange(c, port);
    }
    if (requests.empty()) all.set_result();
    run_until_complete(loop, all);
    std::vector<std::string> answers;
    for (auto& c : connections)
        answers.push_back(c->answer.result());
    return answers;
}

} // namespace aio
