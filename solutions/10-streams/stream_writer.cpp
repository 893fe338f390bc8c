// StreamWriter's coroutines and make_streams: the handles around a transport.
#include "streams.hpp"

namespace aio {

namespace {
// Free coroutines holding the transport: the writer handle may go meanwhile.
Coro<void> drain_transport(std::shared_ptr<detail::Transport> transport) {
    co_await transport->drain();
}
Coro<void> wait_transport_closed(std::shared_ptr<detail::Transport> transport) {
    co_await transport->wait_closed();
}
} // namespace

Coro<void> StreamWriter::drain() {
    return drain_transport(transport());
}
Coro<void> StreamWriter::wait_closed() {
    return wait_transport_closed(transport());
}

std::pair<StreamReader, StreamWriter> make_streams(int connected_fd, std::size_t limit) {
    StreamReader reader(limit);
    auto transport =
        std::make_shared<detail::Transport>(get_running_loop(), connected_fd, reader.state());
    transport->start();
    auto owner = std::make_shared<detail::ConnectionOwner>();
    owner->transport = transport;
    reader.keep_alive(owner);
    return {reader, StreamWriter(owner)};
}

} // namespace aio
