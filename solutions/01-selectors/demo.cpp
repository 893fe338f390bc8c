// Chapter 01 on the projector: how select, poll and epoll scale with the number of
// registered fds. One pipe pair plays ping-pong among N idle registered fds (make
// bench's B7 runs the same ping-pong through the loop).
#include <sys/resource.h>
#include <sys/select.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "selector.hpp"

namespace {

using aio::EVENT_READ;
using aio::ReadyEvent;
using aio::Selector;

// ------------------------------------------------------------------ the measurement

[[noreturn]] void throw_errno(const char* call) {
    throw std::system_error(errno, std::generic_category(), call);
}

// An owned pipe: fds[0] reads, fds[1] writes.
struct Pipe {
    std::array<int, 2> fds{-1, -1};
    Pipe() {
        if (::pipe(fds.data()) != 0) throw_errno("pipe");
    }
    ~Pipe() {
        ::close(fds[0]);
        ::close(fds[1]);
    }
    Pipe(const Pipe&) = delete;
    Pipe& operator=(const Pipe&) = delete;
    void send() const {
        char byte = 'x';
        if (::write(fds[1], &byte, 1) != 1) throw_errno("write");
    }
    void receive() const {
        char byte = 0;
        if (::read(fds[0], &byte, 1) != 1) throw_errno("read");
    }
};

// A byte goes out on ping, the ping side answers on pong; pong's arrival ends
// one round trip. Returns the seconds `roundtrips` of them took.
double ping_pong(Selector& selector, const Pipe& ping, const Pipe& pong, int roundtrips) {
    auto start = std::chrono::steady_clock::now();
    ping.send();
    for (int done = 0; done < roundtrips;) {
        for (const ReadyEvent& event : selector.select(std::nullopt)) {
            if (event.fd == ping.fds[0]) {
                ping.receive();
                pong.send();
            } else if (event.fd == pong.fds[0]) {
                pong.receive();
                if (++done < roundtrips) ping.send();
            }
        }
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Microseconds per round trip of one byte through an active pair of pipes, with
// `idle` more fds registered that never become ready (both ends of idle / 2 pipes,
// registered for reading), through make_selector(selector). Each round trip is two
// select() calls. Time covers the round trips only, not the set-up. Throws what the
// selector throws, and std::system_error("pipe") when the fd limit is too low.
double us_per_roundtrip(std::string_view selector_name, int idle, int roundtrips) {
    std::unique_ptr<Selector> selector = aio::make_selector(selector_name);
    std::vector<Pipe> idle_pipes((idle + 1) / 2); // both ends count: half the pipes
    std::vector<int> idle_fds;
    for (const Pipe& pipe : idle_pipes)
        idle_fds.insert(idle_fds.end(), pipe.fds.begin(), pipe.fds.end());
    idle_fds.resize(static_cast<std::size_t>(idle)); // an odd N leaves one end out
    for (int fd : idle_fds)
        selector->register_fd(fd, EVENT_READ);
    Pipe ping, pong;
    selector->register_fd(ping.fds[0], EVENT_READ);
    selector->register_fd(pong.fds[0], EVENT_READ);
    return ping_pong(*selector, ping, pong, roundtrips) * 1e6 / roundtrips;
}

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft limit.
long raise_fd_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) throw_errno("getrlimit");
    rlimit raised{limit.rlim_max == RLIM_INFINITY ? 65536 : limit.rlim_max, limit.rlim_max};
    if (raised.rlim_cur <= limit.rlim_cur) return static_cast<long>(limit.rlim_cur);
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) return static_cast<long>(raised.rlim_cur);
    raised.rlim_cur = 10240; // macOS refuses more than OPEN_MAX, whatever the hard limit
    if (raised.rlim_cur > limit.rlim_cur && ::setrlimit(RLIMIT_NOFILE, &raised) == 0)
        return static_cast<long>(raised.rlim_cur);
    return static_cast<long>(limit.rlim_cur);
}

// ------------------------------------------------------------------ the table

#ifdef __linux__
constexpr std::array<std::string_view, 3> backends{"select", "poll", "epoll"};
#else
constexpr std::array<std::string_view, 2> backends{"select", "poll"};
#endif
constexpr std::array<int, 4> idle_counts{10, 100, 1000, 10000};
constexpr int rounds = 3;

// µs per round trip, one cell per (N, backend); nullopt: not measured.
using Table = std::array<std::array<std::optional<double>, backends.size()>, idle_counts.size()>;

// Fewer round trips where select and poll scan thousands of fds per call, so the
// demo stays within seconds; enough everywhere for a steady figure.
int roundtrips_for(int idle) {
    return idle <= 100 ? 5000 : idle <= 1000 ? 1000 : 200;
}

// select() cannot take N = 10000: its bitmaps end at fd FD_SETSIZE - 1.
bool fits(std::string_view backend, int idle) {
    return backend != "select" || idle + 16 < FD_SETSIZE;
}

// Every cell measured `rounds` times, a whole table per round, keeping the best:
// a burst of load on a shared machine then spoils one round, not one column.
Table measure_all() {
    Table best{};
    for (int round = 0; round < rounds; ++round) {
        for (std::size_t n = 0; n < idle_counts.size(); ++n) {
            for (std::size_t b = 0; b < backends.size(); ++b) {
                if (!fits(backends[b], idle_counts[n])) continue;
                try {
                    double us = us_per_roundtrip(backends[b], idle_counts[n],
                                                 roundtrips_for(idle_counts[n]));
                    best[n][b] = std::min(best[n][b].value_or(us), us);
                } catch (const std::exception& error) { // e.g. too few fds allowed
                    std::fprintf(stderr, "  %s at N = %d: %s\n", std::string(backends[b]).c_str(),
                                 idle_counts[n], error.what());
                }
            }
        }
        std::printf(".");
        std::fflush(stdout);
    }
    std::printf("\n\n");
    return best;
}

void print_table(const Table& table) {
    std::printf("%12s", "N idle fds");
    for (std::string_view backend : backends)
        std::printf("%10s", std::string(backend).c_str());
    for (std::size_t n = 0; n < idle_counts.size(); ++n) {
        std::printf("\n%12d", idle_counts[n]);
        for (const std::optional<double>& us : table[n]) {
            if (us)
                std::printf("%10.2f", *us);
            else
                std::printf("%10s", "n/a");
        }
    }
    std::printf("\n\n");
}

// The cost at N = 1000 (the largest N select can take) over the cost at N = 10:
// "From N = 10 to N = 1000 the cost per round trip grew: select ×14.3, poll ×5.6, ..."
void print_growth(const Table& table) {
    std::printf("From N = %d to N = %d the cost per round trip grew:", idle_counts[0],
                idle_counts[2]);
    for (std::size_t b = 0; b < backends.size(); ++b) {
        if (table[0][b] && table[2][b])
            std::printf("%s %s ×%.1f", b == 0 ? "" : ",", std::string(backends[b]).c_str(),
                        *table[2][b] / *table[0][b]);
    }
    std::printf(".\n");
}

} // namespace

int main() {
    long fd_limit = raise_fd_limit(); // N = 10000 needs 10,000 fds and a few more
    std::printf("Chapter 01: selectors. Does waiting get slower when more fds are registered?\n\n"
                "One pipe pair plays ping-pong (a byte there, a byte back: two select() calls\n"
                "per round trip) while N more fds are registered but never ready.\n"
                "Microseconds per round trip, best of %d rounds; lower is better.\n",
                rounds);
    if (fd_limit < idle_counts.back() + 64)
        std::printf("(only %ld fds allowed here: the largest N may be skipped)\n", fd_limit);
    std::printf("measuring");
    Table table = measure_all();
    print_table(table);
    print_growth(table);
    std::printf("n/a: select() cannot watch an fd numbered FD_SETSIZE (%d) or above.\n\n",
                FD_SETSIZE);
    std::printf("select and poll hand the kernel the whole interest set on every call and\n"
                "scan all of it for the answer: their cost grows with N. epoll keeps the\n"
                "interest set in the kernel and returns only the ready fds: its cost stays\n"
                "flat, whether 10 or 10,000 fds are registered.\n");
    return 0;
}
