// The server's shared state: the listening socket, the accept callback, the
// count of live connections (asyncio: base_events.Server, _accept_connection).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "streams.hpp"

namespace aio::detail {

class ServerState : public std::enable_shared_from_this<ServerState> {
public:
    ServerState(EventLoop& loop, int listening_fd, ClientHandler handler, std::size_t limit);
    ~ServerState(); // closes the listening fd if still open
    ServerState(const ServerState&) = delete;
    ServerState& operator=(const ServerState&) = delete;

    void start_accepting();
    void on_acceptable();     // accepts what is pending
    void connection_closed(); // a transport's on_closed
    void close();
    Coro<void> wait_closed();
    Coro<void> serve_forever();

    EventLoop& loop;
    const ClientHandler handler;
    const std::size_t limit;
    std::uint16_t port = 0;
    int listening_fd;
    bool serving_forever = false;
    std::size_t connections = 0;

private:
    void pause_accepting_for_a_while(); // out of fds: EMFILE/ENFILE
    void maybe_finish_closing();

    std::vector<Future<void>> closed_waiters_;
    std::optional<Future<void>> forever_;
};

} // namespace aio::detail
