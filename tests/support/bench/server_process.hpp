// Server processes for the network workloads (B4, B8): a server runs in its
// own process pinned to core 0, the load generator (the bench process) on core
// 1, where the machine has two; the server dies with the bench. Also what the
// two share: the raw epoll baseline's loop and the ping-pong load generator.
#pragma once

#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "bench.hpp"

namespace looplab::bench {

// Pins the calling process to one core, when there are at least two.
inline void pin_to_core(int core) {
    if (::sysconf(_SC_NPROCESSORS_ONLN) < 2) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(core, &set);
    ::sched_setaffinity(0, sizeof set, &set);
}

inline int listen_ephemeral(std::uint16_t* port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd, SOMAXCONN) != 0)
        throw std::runtime_error("listen on 127.0.0.1");
    socklen_t size = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
    *port = ntohs(address.sin_port);
    return fd;
}

// Starts a server process on core 0; returns its pid and port. It dies with us.
template <class Serve>
pid_t start_server_process(Serve serve, std::uint16_t* port) {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe");
    std::fflush(stdout);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::close(pipe_fds[0]);
        pin_to_core(0);
        serve(pipe_fds[1]);
        ::_exit(0);
    }
    ::close(pipe_fds[1]);
    if (::read(pipe_fds[0], port, sizeof *port) != sizeof *port) *port = 0;
    ::close(pipe_fds[0]);
    return pid;
}

inline void stop_server_process(pid_t pid) {
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
}

// Runs `load(port)` against a server process started with `serve`; returns its figure.
template <class Serve, class Load>
double measure_server(Serve serve, Load load) {
    std::uint16_t port = 0;
    pid_t pid = start_server_process(serve, &port);
    double rate = 0;
    try {
        if (port == 0) throw std::runtime_error("the server did not start");
        rate = load(port);
    } catch (...) {
        stop_server_process(pid);
        throw;
    }
    stop_server_process(pid);
    return rate;
}

// A raw baseline server process on its own listener: `serve(listener)` never
// returns; its figure is what `load(port)` measures.
template <class Serve, class Load>
double measure_raw_server(Serve serve, Load load) {
    std::uint16_t port = 0;
    int listener = listen_ephemeral(&port);
    double rate = measure_server(
        [listener, port, &serve](int report_fd) {
            (void)!::write(report_fd, &port, sizeof port);
            ::close(report_fd);
            serve(listener);
        },
        load);
    ::close(listener);
    return rate;
}

// The raw baselines' loop: one level-triggered epoll, no abstraction. What a
// server does with a connection's bytes is `received(fd, data, size)`;
// `closed(fd)` is told when the connection is gone.
template <class Received, class Closed>
[[noreturn]] void raw_epoll_server(int listener, Received received, Closed closed) {
    int epoll = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event event{EPOLLIN, {.fd = listener}};
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
    epoll_event ready[256];
    static char buffer[65536];
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
                closed(fd);
                ::close(fd);
                continue;
            }
            received(fd, buffer, static_cast<std::size_t>(got));
        }
    }
}

// The load generator of B4 and B8: `connections` connections to 127.0.0.1:port,
// each with one request in flight: it sends `request`, waits until
// `whole_answer(bytes received)` gives the size of a whole answer at their
// front (0 while incomplete), and sends again, for `run_time`. Answers per second.
template <class WholeAnswer>
double ping_pong_load(std::uint16_t port, int connections, std::chrono::seconds run_time,
                      std::string_view request, WholeAnswer whole_answer) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    int epoll = ::epoll_create1(EPOLL_CLOEXEC);
    std::vector<int> fds;
    std::vector<std::string> received(static_cast<std::size_t>(connections));
    for (int i = 0; i < connections; ++i) {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
            throw std::runtime_error("connect to the server under load");
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        epoll_event event{EPOLLIN, {.u32 = static_cast<std::uint32_t>(i)}};
        ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
        fds.push_back(fd);
        ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    }
    long answers = 0;
    char buffer[16384];
    std::vector<epoll_event> ready(static_cast<std::size_t>(connections));
    auto start = BenchClock::now();
    while (BenchClock::now() - start < run_time) {
        int n = ::epoll_wait(epoll, ready.data(), connections, 100);
        for (int i = 0; i < n; ++i) {
            std::uint32_t c = ready[i].data.u32;
            ssize_t got = ::recv(fds[c], buffer, sizeof buffer, 0);
            if (got <= 0) throw std::runtime_error("the server under load closed a connection");
            received[c].append(buffer, static_cast<std::size_t>(got));
            for (std::size_t size; (size = whole_answer(received[c])) > 0;) {
                received[c].erase(0, size);
                ++answers;
                ::send(fds[c], request.data(), request.size(), MSG_NOSIGNAL);
            }
        }
    }
    double seconds = seconds_since(start);
    for (int fd : fds)
        ::close(fd);
    ::close(epoll);
    return static_cast<double>(answers) / seconds;
}

} // namespace looplab::bench
