// The non-blocking state machine of one request, and the poll() loop that
// drives many of them at once (see exchange.hpp).
#include "exchange.hpp"

#include "fetch.hpp"

#include <cerrno>
#include <system_error>

#include <poll.h>
#include <sys/socket.h>

namespace aio {

namespace {
[[noreturn, maybe_unused]] void throw_errno(int error, const char* call) {
    throw std::system_error(error, std::generic_category(), call);
}
} // namespace

Exchange::Exchange(std::uint16_t port, std::string request, std::size_t index)
    : port_(port), index_(index), out_(std::move(request) + "\n") {}

// What each state waits for: the end of the handshake and room to send both
// show as writable, an answer (or the peer's hang-up) as readable.
short Exchange::poll_events() const {
    //@scratch ch00.mux_events
    //@exercise ch00.mux_events  The poll() events the current state waits for (0: none).
    switch (state_) {
    case State::CONNECTING:
    case State::WRITING: return POLLOUT;
    case State::READING: return POLLIN;
    default: return 0;
    }
    //@end
    //@end
}

void Exchange::on_ready(short revents) {
    // POLLERR and POLLHUP come unasked; either way the next call on the socket
    // reports what happened, so they lead to the same step as POLLOUT/POLLIN.
    if (revents == 0) return;
    if (state_ == State::CONNECTING || state_ == State::WRITING)
        on_writable();
    else if (state_ == State::READING)
        on_readable();
}

void Exchange::start() {
    //@scratch ch00.mux_connect
    //@exercise ch00.mux_connect  Open a non-blocking socket and start connecting it.
    socket_ = tcp_socket(/*nonblocking=*/true);
    sockaddr_in address = loopback_address(port_);
    int result =
        ::connect(socket_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
    // A non-blocking connect cannot wait for the handshake: it starts it and
    // says EINPROGRESS. The socket turns writable when the handshake ends.
    if (result == 0)
        state_ = State::WRITING;
    else if (errno == EINPROGRESS)
        state_ = State::CONNECTING;
    else
        throw_errno(errno, "connect");
    //@end
    //@end
}

void Exchange::on_writable() {
    //@scratch ch00.mux_write
    //@exercise ch00.mux_write  Finish the connect if connecting; send what the socket takes now.
    if (state_ == State::CONNECTING) {
        // Writable only says the handshake is over, not that it worked: the
        // outcome of the connect waits in SO_ERROR (0, or ECONNREFUSED...).
        int error = 0;
        socklen_t length = sizeof error;
        if (::getsockopt(socket_.get(), SOL_SOCKET, SO_ERROR, &error, &length) < 0)
            throw_errno(errno, "getsockopt");
        if (error != 0) throw_errno(error, "connect");
        state_ = State::WRITING;
    }
    // send() takes what fits in the socket buffer now: the rest waits for the
    // next POLLOUT, and sent_ remembers where to resume.
    ssize_t sent = ::send(socket_.get(), out_.data() + sent_, out_.size() - sent_, MSG_NOSIGNAL);
    if (sent < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        throw_errno(errno, "send");
    }
    sent_ += static_cast<std::size_t>(sent);
    if (sent_ == out_.size()) state_ = State::READING;
    //@end
    //@end
}

void Exchange::on_readable() {
    //@scratch ch00.mux_read
    //@exercise ch00.mux_read  Receive what arrived; done at the newline, an error at a hang-up.
    char buffer[4096];
    ssize_t received = ::recv(socket_.get(), buffer, sizeof buffer, 0);
    if (received < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        throw_errno(errno, "recv");
    }
    if (received == 0) throw closed_mid_answer(answer_.size(), index_);
    // Search only the new bytes: a long answer arrives in many pieces.
    std::size_t searched = answer_.size();
    answer_.append(buffer, static_cast<std::size_t>(received));
    std::size_t newline = answer_.find('\n', searched);
    if (newline == std::string::npos) return;
    answer_.resize(newline);
    socket_.reset(); // the exchange is over: give the fd back now, not at the end
    state_ = State::DONE;
    //@end
    //@end
}

void run_exchanges(std::vector<Exchange>& exchanges,
                   const std::function<void(const Exchange&)>& on_done) {
    //@scratch ch00.poll_loop
    //@exercise ch00.poll_loop  Start every exchange; poll() all unfinished ones until all are done.
    for (Exchange& exchange : exchanges)
        exchange.start();
    std::vector<pollfd> fds;
    std::vector<Exchange*> waiting; // waiting[i] owns fds[i]
    for (;;) {
        fds.clear();
        waiting.clear();
        for (Exchange& exchange : exchanges) {
            if (exchange.done()) continue;
            fds.push_back({exchange.fd(), exchange.poll_events(), 0});
            waiting.push_back(&exchange);
        }
        if (waiting.empty()) return;
        // The only place this thread waits: on all the sockets at once.
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            throw_errno(errno, "poll");
        }
        for (std::size_t i = 0; i < fds.size(); ++i) {
            waiting[i]->on_ready(fds[i].revents);
            if (waiting[i]->done() && on_done) on_done(*waiting[i]);
        }
    }
    //@end
    //@end
}

} // namespace aio
