// B4 echo: an echo server on 127.0.0.1 and one load-generator process that
// keeps 100 connections in ping-pong with 64-byte messages for 5 s. The kit's
// server (streams, chapter 10) against a minimal level-triggered epoll echo
// server; each server runs in its own process, pinned to one core, the load
// generator (this process) to the other, where the machine has two.
#include <string>
#include <sys/socket.h>

#include "bench.hpp"
#include "server_process.hpp"

#if __has_include("streams.hpp")
#include "streams.hpp"
#include "task.hpp"
#define LOOPLAB_HAS_STREAMS 1
#endif

namespace looplab::bench {

namespace {

constexpr int connections = 100;
constexpr std::size_t message_size = 64;
constexpr auto run_time = std::chrono::seconds(5);

// The raw baseline: each byte received goes straight back.
[[noreturn]] void raw_echo_server(int listener) {
    raw_epoll_server(
        listener,
        [](int fd, const char* data, std::size_t size) { ::send(fd, data, size, MSG_NOSIGNAL); },
        [](int) {});
}

#ifdef LOOPLAB_HAS_STREAMS
aio::Coro<void> echo(aio::StreamReader reader, aio::StreamWriter writer) {
    for (;;) {
        std::string data = co_await reader.read(65536);
        if (data.empty()) break;
        writer.write(data);
        co_await writer.drain();
    }
    writer.close();
}

// The kit's server: start_server on an ephemeral port, told to the parent
// through a pipe, then serve until killed.
aio::Coro<void> kit_server(int report_fd) {
    aio::Server server = co_await aio::start_server(echo);
    std::uint16_t port = server.port();
    (void)!::write(report_fd, &port, sizeof port);
    ::close(report_fd);
    co_await server.serve_forever();
}
#endif

// The load generator: 100 connections in ping-pong for run_time; round trips per second.
double load(std::uint16_t port) {
    const std::string message(message_size, 'x');
    auto whole_echo = [](const std::string& in) {
        return in.size() >= message_size ? message_size : 0;
    };
    return ping_pong_load(port, connections, run_time, message, whole_echo);
}

} // namespace

void run_b4_echo() {
    pin_to_core(1); // the load generator
    double raw = 0;
    measure("B4", "raw", [&] {
        raw = measure_raw_server(raw_echo_server, load);
        result("B4", "raw", {num("req_per_s", raw)});
    });
#ifdef LOOPLAB_HAS_STREAMS
    measure("B4", "looplab", [&] {
        double rate = measure_server([](int report_fd) { aio::run(kit_server(report_fd)); }, load);
        std::vector<Field> fields{num("req_per_s", rate)};
        if (raw > 0) fields.push_back(num("ratio", rate / raw, 2));
        result("B4", "looplab", fields);
    });
#else
    skipped("B4", "looplab", "chapter-10-missing:streams.hpp");
#endif
}

} // namespace looplab::bench
