// Server processes for the network workloads (B4, B8): a server runs in its
// own process pinned to core 0, the load generator (the bench process) on core
// 1, where the machine has two; the server dies with the bench.
#pragma once

#include <arpa/inet.h>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <netinet/in.h>
#include <sched.h>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

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

} // namespace looplab::bench
