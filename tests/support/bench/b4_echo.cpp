// B4 echo: an echo server on 127.0.0.1 and one load-generator process that
// keeps 100 connections in ping-pong with 64-byte messages for 5 s. The kit's
// server (streams, chapter 10) against a minimal level-triggered epoll echo
// server; each server runs in its own process, pinned to one core, the load
// generator (this process) to the other, where the machine has two.
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <string>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

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

// The raw baseline: one epoll, level-triggered, no abstraction.
[[noreturn]] void raw_echo_server(int listener) {
    int epoll = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event event{EPOLLIN, {.fd = listener}};
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
    epoll_event ready[256];
    char buffer[65536];
    for (;;) {
        int n = ::epoll_wait(epoll, ready, 256, -1);
        for (int i = 0; i < n; ++i) {
            int fd = ready[i].data.fd;
            if (fd == listener) {
                int client = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK);
                if (client < 0) continue;
                epoll_event add{EPOLLIN, {.fd = client}};
                ::epoll_ctl(epoll, EPOLL_CTL_ADD, client, &add);
                continue;
            }
            ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
            if (got <= 0) {
                ::close(fd);
                continue;
            }
            ::send(fd, buffer, static_cast<std::size_t>(got), MSG_NOSIGNAL);
        }
    }
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
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    int epoll = ::epoll_create1(EPOLL_CLOEXEC);
    std::vector<int> fds;
    std::vector<std::size_t> received(connections, 0);
    std::string message(message_size, 'x');
    for (int i = 0; i < connections; ++i) {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
            throw std::runtime_error("connect to the echo server");
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        epoll_event event{EPOLLIN, {.u32 = static_cast<std::uint32_t>(i)}};
        ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
        fds.push_back(fd);
        ::send(fd, message.data(), message.size(), MSG_NOSIGNAL);
    }
    long round_trips = 0;
    char buffer[4096];
    epoll_event ready[connections];
    auto start = BenchClock::now();
    while (BenchClock::now() - start < run_time) {
        int n = ::epoll_wait(epoll, ready, connections, 100);
        for (int i = 0; i < n; ++i) {
            std::uint32_t c = ready[i].data.u32;
            ssize_t got = ::recv(fds[c], buffer, sizeof buffer, 0);
            if (got <= 0) throw std::runtime_error("the echo server closed a connection");
            received[c] += static_cast<std::size_t>(got);
            if (received[c] < message_size) continue;
            received[c] -= message_size;
            ++round_trips;
            ::send(fds[c], message.data(), message.size(), MSG_NOSIGNAL);
        }
    }
    double seconds = seconds_since(start);
    for (int fd : fds)
        ::close(fd);
    ::close(epoll);
    return static_cast<double>(round_trips) / seconds;
}

} // namespace

void run_b4_echo() {
    pin_to_core(1); // the load generator
    double raw = 0;
    measure("B4", "raw", [&] {
        std::uint16_t port = 0;
        int listener = listen_ephemeral(&port);
        raw = measure_server(
            [listener, port](int report_fd) {
                (void)!::write(report_fd, &port, sizeof port);
                ::close(report_fd);
                raw_echo_server(listener);
            },
            load);
        ::close(listener);
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
