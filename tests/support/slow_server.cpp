// The slow local server (see slow_server.hpp): one thread, one poll() loop, one
// deadline per held request.
#include "slow_server.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <deque>
#include <mutex>
#include <system_error>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace looplab {

namespace {

using Clock = std::chrono::steady_clock;
constexpr Clock::time_point never = Clock::time_point::max();

[[noreturn]] void throw_errno(const char* call) {
    throw std::system_error(errno, std::generic_category(), call);
}

void make_nonblocking(int fd) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) throw_errno("fcntl");
    if (::fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) throw_errno("fcntl");
}

// Hundreds of client sockets plus as many server-side ones can pass the common
// soft limit of 1024 descriptors; the hard limit is ours to take.
void raise_fd_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    rlim_t wanted = std::min<rlim_t>(limit.rlim_max, 8192);
    if (limit.rlim_cur >= wanted) return;
    limit.rlim_cur = wanted;
    ::setrlimit(RLIMIT_NOFILE, &limit);
}

int listen_on_loopback() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw_errno("socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = 0; // ephemeral: the kernel picks a free port
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) < 0 ||
        ::listen(fd, SOMAXCONN) < 0) {
        int error = errno;
        ::close(fd);
        throw std::system_error(error, std::generic_category(), "bind/listen");
    }
    make_nonblocking(fd);
    return fd;
}

std::uint16_t port_of(int fd) {
    sockaddr_in address{};
    socklen_t length = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) < 0)
        throw_errno("getsockname");
    return ntohs(address.sin_port);
}

struct Held {              // one request received and not answered yet
    Clock::time_point due; // `never` when the server never answers
    std::string answer;
};

struct Connection {
    int fd;
    std::string in;           // bytes received, not yet a whole line
    std::deque<Held> held;    // in arrival order; equal delays keep them in due order
    std::string out;          // answer bytes to send...
    std::size_t out_sent = 0; // ...of which these are sent
    bool close_after_out = false;
    bool closed = false;
};

} // namespace

struct SlowServer::State {
    SlowServerOptions options;
    int listener = -1;
    int wake_read = -1; // the destructor writes a byte to wake_write
    int wake_write = -1;
    std::uint16_t port = 0;
    std::vector<Connection> connections; // server thread only

    mutable std::mutex stats_mutex; // guards the three counters below
    int held = 0;
    int peak = 0;
    int answered = 0;

    State() = default;
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    ~State();

    void run();
    int poll_timeout_ms() const;
    void accept_all();
    void receive(Connection& c);
    void send_out(Connection& c);
    void answer_due(Connection& c, Clock::time_point now);
    void close_connection(Connection& c);
    void count_held(int change, bool answered_one);
};

SlowServer::State::~State() {
    for (Connection& c : connections)
        ::close(c.fd);
    for (int fd : {listener, wake_read, wake_write})
        if (fd >= 0) ::close(fd);
}

void SlowServer::State::count_held(int change, bool answered_one) {
    std::lock_guard lock(stats_mutex);
    held += change;
    peak = std::max(peak, held);
    if (answered_one) ++answered;
}

int SlowServer::State::poll_timeout_ms() const {
    Clock::time_point earliest = never;
    for (const Connection& c : connections)
        if (!c.held.empty()) earliest = std::min(earliest, c.held.front().due);
    if (earliest == never) return -1;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(earliest - Clock::now());
    return static_cast<int>(std::max<std::int64_t>(0, left.count()));
}

void SlowServer::State::accept_all() {
    for (;;) {
        int fd = ::accept(listener, nullptr, nullptr);
        if (fd < 0) return; // EAGAIN: no more for now (EMFILE: retried on the next pass)
        make_nonblocking(fd);
        connections.push_back(Connection{fd, {}, {}, {}, 0, false, false});
    }
}

void SlowServer::State::receive(Connection& c) {
    char buffer[65536];
    ssize_t received = ::recv(c.fd, buffer, sizeof buffer, 0);
    if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (received <= 0) return close_connection(c); // the client left or failed
    if (c.close_after_out) return;                 // hanging up: ignore what comes
    std::size_t searched = c.in.size();
    c.in.append(buffer, static_cast<std::size_t>(received));
    std::size_t start = 0;
    for (std::size_t nl = c.in.find('\n', searched); nl != std::string::npos;
         nl = c.in.find('\n', start)) {
        Clock::time_point due = options.never_answer ? never : Clock::now() + options.delay;
        c.held.push_back(Held{due, answer_for(c.in.substr(start, nl - start)) + "\n"});
        count_held(+1, false);
        start = nl + 1;
    }
    c.in.erase(0, start);
}

void SlowServer::State::answer_due(Connection& c, Clock::time_point now) {
    while (!c.held.empty() && !c.close_after_out && c.held.front().due <= now) {
        std::string answer = std::move(c.held.front().answer);
        c.held.pop_front();
        if (options.close_mid_answer) {
            // Half an answer, no newline, then the hang-up the client must detect.
            c.out += answer.substr(0, answer.size() / 2);
            c.close_after_out = true;
        } else {
            c.out += answer;
        }
        count_held(-1, !options.close_mid_answer);
    }
}

void SlowServer::State::send_out(Connection& c) {
    // An offset, not erase(0, sent): erasing the front of a long answer after
    // every partial send would copy it over and over.
    while (c.out_sent < c.out.size()) {
        ssize_t sent =
            ::send(c.fd, c.out.data() + c.out_sent, c.out.size() - c.out_sent, MSG_NOSIGNAL);
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
        if (sent < 0) return close_connection(c);
        c.out_sent += static_cast<std::size_t>(sent);
    }
    c.out.clear();
    c.out_sent = 0;
    if (c.close_after_out) close_connection(c);
}

void SlowServer::State::close_connection(Connection& c) {
    if (c.closed) return;
    // Read what is left first: closing with unread input sends a reset, which
    // could destroy the half answer before the client reads it.
    char buffer[4096];
    while (::recv(c.fd, buffer, sizeof buffer, MSG_DONTWAIT) > 0) {
    }
    ::shutdown(c.fd, SHUT_WR);
    ::close(c.fd);
    c.closed = true;
    count_held(-static_cast<int>(c.held.size()), false);
    c.held.clear();
}

void SlowServer::State::run() {
    std::vector<pollfd> fds;
    for (;;) {
        fds.assign({{wake_read, POLLIN, 0}, {listener, POLLIN, 0}});
        for (const Connection& c : connections)
            fds.push_back(
                {c.fd, c.out_sent < c.out.size() ? short(POLLIN | POLLOUT) : short(POLLIN), 0});
        if (::poll(fds.data(), fds.size(), poll_timeout_ms()) < 0 && errno != EINTR) {
            std::perror("looplab: SlowServer poll");
            return;
        }
        if (fds[0].revents != 0) return; // the destructor asks us to stop
        if (fds[1].revents != 0) accept_all();
        Clock::time_point now = Clock::now();
        for (std::size_t i = 0; i + 2 < fds.size(); ++i) {
            Connection& c = connections[i];
            if (fds[i + 2].revents & (POLLIN | POLLHUP | POLLERR)) receive(c);
            if (!c.closed) answer_due(c, now);
            if (!c.closed) send_out(c);
        }
        std::erase_if(connections, [](const Connection& c) { return c.closed; });
    }
}

SlowServer::SlowServer(SlowServerOptions options) : state_(std::make_unique<State>()) {
    raise_fd_limit();
    state_->options = options;
    int pipe_fds[2];
    if (::pipe(pipe_fds) < 0) throw_errno("pipe");
    state_->wake_read = pipe_fds[0];
    state_->wake_write = pipe_fds[1];
    state_->listener = listen_on_loopback();
    state_->port = port_of(state_->listener);
    thread_ = std::thread([state = state_.get()] { state->run(); });
}

SlowServer::~SlowServer() {
    if (thread_.joinable()) {
        char byte = 1;
        while (::write(state_->wake_write, &byte, 1) < 0 && errno == EINTR) {
        }
        thread_.join();
    }
} // then ~State closes every socket and the pipe

std::uint16_t SlowServer::port() const {
    return state_->port;
}

int SlowServer::peak_concurrency() const {
    std::lock_guard lock(state_->stats_mutex);
    return state_->peak;
}

int SlowServer::requests_answered() const {
    std::lock_guard lock(state_->stats_mutex);
    return state_->answered;
}

void SlowServer::reset_stats() {
    std::lock_guard lock(state_->stats_mutex);
    state_->answered = 0;
    state_->peak = state_->held;
}

std::string SlowServer::answer_for(const std::string& request) {
    return "re: " + request;
}

} // namespace looplab
