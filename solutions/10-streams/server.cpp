// start_server and the Server handle: accept, one handler task per client,
// close and wait_closed (asyncio: base_events.create_server, Server,
// selector_events._accept_connection, streams.start_server).
#include "server.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "task.hpp"

namespace aio {

namespace detail {

namespace {
constexpr int ACCEPT_BATCH = 100; // asyncio: backlog accepts per readiness

// One client: run the handler; its exception goes to the exception handler
// once and closes the connection (asyncio: client_connected_cb's done callback).
Coro<void> serve_client(std::shared_ptr<ServerState> server, StreamReader reader,
                        StreamWriter writer) {
    std::exception_ptr error;
    try {
        co_await server->handler(reader, writer);
    } catch (const std::exception&) {
        error = std::current_exception();
    }
    if (error) {
        server->loop.call_exception_handler({"Unhandled exception in client_connected_cb", error});
        writer.close();
    }
}
} // namespace

ServerState::ServerState(EventLoop& event_loop, int fd, ClientHandler client_handler,
                         std::size_t reader_limit)
    : loop(event_loop), handler(std::move(client_handler)), limit(reader_limit), listening_fd(fd) {}

ServerState::~ServerState() {
    if (listening_fd >= 0) ::close(listening_fd);
}

void ServerState::start_accepting() {
    loop.add_reader(listening_fd, [self = shared_from_this()] { self->on_acceptable(); });
}

void ServerState::on_acceptable() {
    //@scratch ch10.accept
    //@exercise ch10.accept  Accept a batch; each: streams, count, on_closed, a handler task.
    for (int i = 0; i < ACCEPT_BATCH && listening_fd >= 0; ++i) {
        int fd = ::accept4(listening_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            auto [reader, writer] = make_streams(fd, limit);
            ++connections;
            writer.transport()->on_closed(
                [self = shared_from_this()] { self->connection_closed(); });
            create_task(loop,
                        serve_client(shared_from_this(), std::move(reader), std::move(writer)));
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED) continue; // a client gave up: next
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        if (errno == EMFILE || errno == ENFILE) pause_accepting_for_a_while();
        loop.call_exception_handler({"accept failed", os_error(errno, "accept")});
        return;
    }
    //@end
    //@end
}

// asyncio logs "socket.accept() out of system resource" and retries a second later.
void ServerState::pause_accepting_for_a_while() {
    loop.remove_reader(listening_fd);
    loop.call_later(std::chrono::seconds(1), [self = shared_from_this()] {
        if (self->listening_fd >= 0) self->start_accepting();
    });
}

void ServerState::connection_closed() {
    --connections;
    maybe_finish_closing();
}

void ServerState::close() {
    //@scratch ch10.server_close
    //@exercise ch10.server_close  Once: close the listener; end serve_forever; maybe finish.
    if (listening_fd < 0) return;
    loop.remove_reader(listening_fd);
    ::close(listening_fd);
    listening_fd = -1;
    if (forever_ && !forever_->done()) forever_->cancel(); // asyncio: Server.close
    maybe_finish_closing();
    //@end
    //@end
}

void ServerState::maybe_finish_closing() {
    if (listening_fd >= 0 || connections > 0) return;
    std::vector<Future<void>> waiting = std::move(closed_waiters_);
    closed_waiters_.clear();
    for (Future<void>& waiter : waiting)
        if (!waiter.done()) waiter.set_result();
}

Coro<void> ServerState::wait_closed() {
    if (listening_fd < 0 && connections == 0) co_return;
    Future<void> closed(loop);
    closed_waiters_.push_back(closed);
    co_await closed;
}

Coro<void> ServerState::serve_forever() {
    //@scratch ch10.serve_forever
    //@exercise ch10.serve_forever  Refuse closed or twice; wait till closed; a cancel closes.
    if (listening_fd < 0) throw RuntimeError("server is closed");
    if (serving_forever) throw RuntimeError("server is already being awaited on serve_forever()");
    serving_forever = true;
    forever_.emplace(loop);
    Future<void> forever = *forever_;
    bool cancelled = false;
    std::string message;
    try {
        co_await forever;
    } catch (const CancelledError& e) {
        cancelled = true;
        message = e.message();
    }
    close();
    co_await wait_closed();
    if (cancelled) throw CancelledError(message);
    //@end
    //@end
}

namespace {
Coro<void> server_wait_closed(std::shared_ptr<ServerState> state) {
    co_await state->wait_closed();
}
Coro<void> server_serve_forever(std::shared_ptr<ServerState> state) {
    co_await state->serve_forever();
}

// A listening, non-blocking socket bound to address.
int listen_on(const Address& address) {
    //@scratch ch10.listen
    //@exercise ch10.listen  A non-blocking socket, SO_REUSEADDR, bound, listening.
    const auto* target = reinterpret_cast<const sockaddr*>(address.data());
    int fd = ::socket(target->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw_os_error(errno, "socket");
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, target, static_cast<socklen_t>(address.size())) != 0 ||
        ::listen(fd, SOMAXCONN) != 0) {
        int err = errno;
        ::close(fd);
        throw_os_error(err, "bind/listen");
    }
    return fd;
    //@end
    //@end
}

std::uint16_t bound_port(int fd) {
    sockaddr_storage address{};
    socklen_t size = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
    if (address.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
    return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
}
} // namespace

} // namespace detail

std::uint16_t Server::port() const {
    return state_->port;
}
void Server::close() {
    state_->close();
}
Coro<void> Server::wait_closed() {
    return detail::server_wait_closed(state_);
}
Coro<void> Server::serve_forever() {
    return detail::server_serve_forever(state_);
}
bool Server::is_serving() const {
    return state_->listening_fd >= 0;
}
std::size_t Server::connection_count() const {
    return state_->connections;
}

Coro<Server> start_server(ClientHandler handler, std::string host, std::uint16_t port,
                          std::size_t limit) {
    if (!handler) throw ValueError("start_server: the handler is empty");
    if (limit == 0) throw ValueError("start_server: the limit must be greater than 0");
    std::vector<detail::Address> addresses = co_await detail::resolve(host, port);
    int fd = detail::listen_on(addresses.front());
    auto state =
        std::make_shared<detail::ServerState>(get_running_loop(), fd, std::move(handler), limit);
    state->port = detail::bound_port(fd);
    state->start_accepting();
    co_return Server(state);
}

} // namespace aio
