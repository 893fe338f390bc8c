// Streams: StreamWriter, open_connection, start_server and Server, on top of
// the reader and the transport (asyncio: streams.py, base_events.create_server).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sock_ops.hpp"
#include "stream_errors.hpp"
#include "stream_reader.hpp"
#include "transport.hpp"

namespace aio {

namespace detail {
// Closes the connection gracefully when the last reader or writer handle of it
// goes away (buffered data is still sent).
struct ConnectionOwner {
    std::shared_ptr<Transport> transport;
    ~ConnectionOwner() {
        if (transport) transport->close();
    }
};
} // namespace detail

// A copyable handle; high-water 64 KiB, low-water 16 KiB.
class StreamWriter {
public:
    // write: copied; after close(): dropped; after write_eof(): RuntimeError.
    void write(std::string_view data) { transport()->write(data); }
    // Waits while the buffer is above high-water, until low-water; a
    // ConnectionError once the connection is lost.
    Coro<void> drain();
    std::size_t write_buffer_size() const { return transport()->write_buffer_size(); }
    void write_eof() { transport()->write_eof(); } // half-close
    void close() { transport()->close(); }         // flushes what is buffered, then closes
    bool is_closing() const { return transport()->is_closing(); }
    Coro<void> wait_closed();
    std::string peername() const { return transport()->peername(); }

    explicit StreamWriter(std::shared_ptr<detail::ConnectionOwner> owner)
        : owner_(std::move(owner)) {}
    const std::shared_ptr<detail::Transport>& transport() const { return owner_->transport; }

private:
    std::shared_ptr<detail::ConnectionOwner> owner_;
};

// The reader and writer of a connected, non-blocking socket (the kit's
// spelling of asyncio's open_connection(sock=...)); they own the fd now.
std::pair<StreamReader, StreamWriter> make_streams(int connected_fd, std::size_t limit = 65536);

// Resolution on the executor (getaddrinfo blocks), skipped for a numeric
// host; each resolved address is tried in turn; the last error if none works.
Coro<std::pair<StreamReader, StreamWriter>> open_connection(std::string host, std::uint16_t port,
                                                            std::size_t limit = 65536);

namespace detail {
class ServerState;
using Address = std::vector<char>; // a sockaddr's bytes
// The addresses of host:port: a numeric host at once, a name through
// getaddrinfo on the default executor. std::system_error when none resolves.
Coro<std::vector<Address>> resolve(std::string host, std::uint16_t port);
} // namespace detail

// A copyable handle; the loop keeps a server serving.
class Server {
public:
    std::uint16_t port() const;
    void close();               // stops listening; accepted connections go on
    Coro<void> wait_closed();   // once closed AND every accepted connection is closed
    Coro<void> serve_forever(); // RuntimeError if closed or already awaited; cancelling it
                                // closes the server and waits for wait_closed(); a close()
                                // from elsewhere ends it with CancelledError (asyncio)
    bool is_serving() const;
    std::size_t connection_count() const; // accepted connections not yet closed

    explicit Server(std::shared_ptr<detail::ServerState> state) : state_(std::move(state)) {}

private:
    std::shared_ptr<detail::ServerState> state_;
};

using ClientHandler = std::function<Coro<void>(StreamReader, StreamWriter)>;

// The server keeps the handler alive until every handler task has finished; a
// handler's exception goes to the loop's exception handler exactly once and
// closes its connection.
Coro<Server> start_server(ClientHandler handler, std::string host = "127.0.0.1",
                          std::uint16_t port = 0, std::size_t limit = 65536);

} // namespace aio
