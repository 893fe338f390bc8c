// The callback client: each step of a request is a future, and each step is
// started by the previous one's done callback (see fetch_callbacks.hpp).
#include "fetch_callbacks.hpp"

#include <cerrno>
#include <memory>
#include <system_error>

#include <sys/socket.h>

#include "fetch.hpp"
#include "net.hpp"

namespace aio {

namespace {

// [[maybe_unused]]: the lessons use these only once your code does.
[[maybe_unused]] std::exception_ptr errno_error(int error, const char* call) {
    return std::make_exception_ptr(std::system_error(error, std::generic_category(), call));
}

// One non-blocking send() from data[offset]: the new offset. A full socket
// buffer (EAGAIN) or a signal (EINTR) sends nothing; other errors throw.
[[maybe_unused]] std::size_t send_some(int fd, const std::string& data, std::size_t offset) {
    ssize_t sent = ::send(fd, data.data() + offset, data.size() - offset, MSG_NOSIGNAL);
    if (sent >= 0) return offset + static_cast<std::size_t>(sent);
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return offset;
    throw std::system_error(errno, std::generic_category(), "send");
}

// One non-blocking recv() appended to `in`; false when the peer closed (end
// of stream). Nothing there yet (EAGAIN) or a signal appends nothing.
[[maybe_unused]] bool recv_some(int fd, std::string& in) {
    char buffer[4096];
    ssize_t received = ::recv(fd, buffer, sizeof buffer, 0);
    if (received > 0) in.append(buffer, static_cast<std::size_t>(received));
    if (received >= 0) return received > 0;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return true;
    throw std::system_error(errno, std::generic_category(), "recv");
}

// What a step's callback does first: retrieves the step's outcome and says
// whether the chain goes on. A failure (or a cancelled step) becomes the
// answer's outcome; an answer already done (the request was abandoned) stops
// the chain quietly.
template <class T>
bool step_succeeded(Future<T> step, Future<std::string>& answer) {
    std::exception_ptr error = step.cancelled() ? nullptr : step.exception();
    if (answer.done()) return false;
    if (step.cancelled()) answer.cancel();
    if (error) answer.set_exception(error);
    return !answer.done();
}

// The requests of one fetch_with_callbacks: their sockets and answers. On
// the way out, however it goes, what is still running is abandoned: answers
// cancelled (so a step callback still queued starts nothing), fds unwatched
// before they close (the number may be reused at once).
struct Requests {
    explicit Requests(EventLoop& loop) : loop(loop) {}
    ~Requests() {
        for (auto& answer : answers)
            answer.cancel();
        for (auto& socket : sockets) {
            loop.remove_reader(socket.get());
            loop.remove_writer(socket.get());
        }
    }
    Requests(const Requests&) = delete;
    Requests& operator=(const Requests&) = delete;

    EventLoop& loop;
    std::vector<UniqueFd> sockets;
    std::vector<Future<std::string>> answers;
};

} // namespace

Future<void> connect_async(EventLoop& loop, int fd, std::uint16_t port) {
    //@scratch ch04.connect_async
    //@exercise ch04.connect_async  Connect; finish the future now, or once fd turns writable.
    Future<void> connected(loop);
    sockaddr_in address = loopback_address(port);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
        connected.set_result(); // decided at once (a blocking socket)
    } else if (errno != EINPROGRESS && errno != EINTR) {
        connected.set_exception(errno_error(errno, "connect")); // refused at once, not a socket...
    } else {
        // Writable means the handshake is over; SO_ERROR says how it went. An
        // interrupted connect (EINTR) goes on in the background the same way.
        loop.add_writer(fd, [fd, connected]() mutable {
            connected.get_loop().remove_writer(fd); // once: a writable socket stays writable
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
    //@end
}

Future<void> send_all_async(EventLoop& loop, int fd, std::string data) {
    //@scratch ch04.send_all_async
    //@exercise ch04.send_all_async  From a writer, send until all is out; then finish the future.
    Future<void> sent(loop);
    // Shared, not a member of the lambda: the loop may run a copy of it.
    auto out = std::make_shared<std::pair<std::string, std::size_t>>(std::move(data), 0);
    loop.add_writer(fd, [fd, out, sent]() mutable {
        try {
            out->second = send_some(fd, out->first, out->second);
            if (out->second < out->first.size()) return; // the rest when writable again
            sent.get_loop().remove_writer(fd);
            sent.set_result();
        } catch (...) {
            sent.get_loop().remove_writer(fd);
            sent.set_exception(std::current_exception());
        }
    });
    return sent;
    //@end
    //@end
}

Future<std::string> read_line_async(EventLoop& loop, int fd, std::size_t index) {
    //@scratch ch04.read_line_async
    //@exercise ch04.read_line_async  From a reader, gather bytes up to the newline; then finish.
    Future<std::string> line(loop);
    auto in = std::make_shared<std::string>(); // shared: the loop may run a copy of the lambda
    loop.add_reader(fd, [fd, index, in, line]() mutable {
        try {
            std::size_t searched = in->size(); // the newline can only be in the new bytes
            if (!recv_some(fd, *in)) throw closed_mid_answer(in->size(), index);
            std::size_t newline = in->find('\n', searched);
            if (newline == std::string::npos) return; // more when readable again
            line.get_loop().remove_reader(fd);
            line.set_result(in->substr(0, newline));
        } catch (...) {
            line.get_loop().remove_reader(fd);
            line.set_exception(std::current_exception());
        }
    });
    return line;
    //@end
    //@end
}

Future<std::string> fetch_one_callbacks(EventLoop& loop, int fd, std::uint16_t port,
                                        std::string request, std::size_t index) {
    //@scratch ch04.fetch_callbacks
    //@exercise ch04.fetch_callbacks  Chain the steps: connected, then send the line, then read.
    Future<std::string> answer(loop);
    // Written backwards, as callback code must be: the last step first.
    auto on_line = [answer](Future<std::string> line) mutable {
        if (step_succeeded(line, answer)) answer.set_result(line.result());
    };
    auto on_sent = [fd, index, answer, on_line](Future<void> sent) mutable {
        if (step_succeeded(sent, answer))
            read_line_async(answer.get_loop(), fd, index).add_done_callback(on_line);
    };
    auto on_connected = [fd, request, answer, on_sent](Future<void> connected) mutable {
        if (step_succeeded(connected, answer))
            send_all_async(answer.get_loop(), fd, request + "\n").add_done_callback(on_sent);
    };
    connect_async(loop, fd, port).add_done_callback(on_connected);
    return answer;
    //@end
    //@end
}

// gather, by hand: one countdown shared by the futures' done callbacks.
Future<void> all_done(EventLoop& loop, const std::vector<Future<std::string>>& futures) {
    //@scratch ch04.all_done
    //@exercise ch04.all_done  Count the futures down in done callbacks; a failure decides.
    Future<void> all(loop);
    if (futures.empty()) all.set_result();
    auto remaining = std::make_shared<std::size_t>(futures.size());
    for (Future<std::string> future : futures) {
        future.add_done_callback([all, remaining](Future<std::string> done) mutable {
            if (done.cancelled()) {
                all.cancel(); // false when all is done already: nothing to do
                return;
            }
            std::exception_ptr error = done.exception(); // retrieved, even when too late
            if (all.done()) return;
            if (error)
                all.set_exception(error);
            else if (--*remaining == 0)
                all.set_result();
        });
    }
    return all;
    //@end
    //@end
}

std::vector<std::string> fetch_with_callbacks(EventLoop& loop, std::uint16_t port,
                                              const std::vector<std::string>& requests) {
    Requests running(loop); // abandons what still runs on every way out
    //@scratch ch04.fetch_all
    //@exercise ch04.fetch_all  A socket and a chain per request; run until all are done.
    for (std::size_t i = 0; i < requests.size(); ++i) {
        running.sockets.push_back(tcp_socket(/*nonblocking=*/true));
        int fd = running.sockets.back().get();
        running.answers.push_back(fetch_one_callbacks(loop, fd, port, requests[i], i));
    }
    run_until_complete(loop, all_done(loop, running.answers));
    std::vector<std::string> lines;
    for (auto& answer : running.answers)
        lines.push_back(answer.result());
    return lines;
    //@end
    //@end
}

} // namespace aio
