// B7 scaling: N idle registered fds plus one active pipe pair doing ping-pong,
// N in {10, 100, 1000, 10000}, for select, poll and epoll. The raw baselines
// are bare select/poll/epoll loops; the looplab side is the kit's EventLoop on
// that selector, the pair's two ends as add_reader callbacks.
#include <algorithm>
#include <array>
#include <cerrno>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <poll.h>
#include <sys/select.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/epoll.h>
#endif

#include "bench.hpp"

#if __has_include("event_loop.hpp")
#include "event_loop.hpp"
#define LOOPLAB_HAS_EVENT_LOOP 1
#endif

namespace looplab::bench {

namespace {

[[noreturn]] void throw_errno(const char* call) {
    throw std::system_error(errno, std::generic_category(), call);
}

// An owned pipe; [0] reads, [1] writes.
class Pipe {
public:
    Pipe() {
        if (::pipe(fds_.data()) != 0) throw_errno("pipe");
    }
    ~Pipe() {
        ::close(fds_[0]);
        ::close(fds_[1]);
    }
    Pipe(const Pipe&) = delete;
    Pipe& operator=(const Pipe&) = delete;
    int read_end() const { return fds_[0]; }
    int write_end() const { return fds_[1]; }

private:
    std::array<int, 2> fds_{};
};

// N registered fds that never become readable: both ends of N / 2 pipes (an
// empty pipe's read end has no data; its write end is never readable). Both
// ends count, so N = 10000 fits a 20000-descriptor limit.
class IdleFds {
public:
    explicit IdleFds(int count) : pipes_((count + 1) / 2) {
        for (const Pipe& pipe : pipes_) {
            fds_.push_back(pipe.read_end());
            if (static_cast<int>(fds_.size()) < count) fds_.push_back(pipe.write_end());
        }
    }
    const std::vector<int>& fds() const { return fds_; }

private:
    std::vector<Pipe> pipes_;
    std::vector<int> fds_;
};

// The active pair: a byte goes out on ping, comes back on pong. One round trip
// is two waits: ping readable (read it, answer on pong), pong readable (read it).
struct PingPong {
    Pipe ping;
    Pipe pong;

    void send(const Pipe& pipe) const {
        char byte = 'x';
        if (::write(pipe.write_end(), &byte, 1) != 1) throw_errno("write");
    }
    void receive(const Pipe& pipe) const {
        char byte = 0;
        if (::read(pipe.read_end(), &byte, 1) != 1) throw_errno("read");
    }
    // Handles one readable fd; returns true when it completed a round trip.
    bool on_readable(int fd) const {
        if (fd == ping.read_end()) {
            receive(ping);
            send(pong);
            return false;
        }
        receive(pong);
        return true;
    }
};

// ------------------------------------------------------------------ raw loops
// Each returns the seconds `roundtrips` round trips take. Like a real loop,
// each one finds out WHICH fds are ready the way its system call allows:
// select and poll by scanning every fd, epoll from the list it returns.

double raw_select(const std::vector<int>& idle, const PingPong& pp, int roundtrips) {
    fd_set interest;
    FD_ZERO(&interest);
    int max_fd = std::max(pp.ping.read_end(), pp.pong.read_end());
    for (int fd : idle) {
        FD_SET(fd, &interest);
        max_fd = std::max(max_fd, fd);
    }
    FD_SET(pp.ping.read_end(), &interest);
    FD_SET(pp.pong.read_end(), &interest);
    int done = 0;
    return time_seconds([&] {
        pp.send(pp.ping);
        while (done < roundtrips) {
            fd_set readable = interest; // select overwrites its argument
            int count = ::select(max_fd + 1, &readable, nullptr, nullptr, nullptr);
            if (count < 0 && errno == EINTR) continue;
            if (count < 0) throw_errno("select");
            for (int fd = 0; fd <= max_fd && count > 0; ++fd) {
                if (!FD_ISSET(fd, &readable)) continue;
                --count;
                if (pp.on_readable(fd) && ++done < roundtrips) pp.send(pp.ping);
            }
        }
    });
}

double raw_poll(const std::vector<int>& idle, const PingPong& pp, int roundtrips) {
    // The active pair first: once poll() meets a ready fd, the kernel stops
    // queueing a wait entry on each fd after it, so a ready fd late in the array
    // costs a wait entry per idle fd (select has the same rule, in fd order).
    std::vector<pollfd> interest{{pp.ping.read_end(), POLLIN, 0}, {pp.pong.read_end(), POLLIN, 0}};
    for (int fd : idle)
        interest.push_back({fd, POLLIN, 0});
    int done = 0;
    return time_seconds([&] {
        pp.send(pp.ping);
        while (done < roundtrips) {
            int count = ::poll(interest.data(), interest.size(), -1);
            if (count < 0 && errno == EINTR) continue;
            if (count < 0) throw_errno("poll");
            for (auto entry = interest.begin(); count > 0; ++entry) {
                if (entry->revents == 0) continue;
                --count;
                if (pp.on_readable(entry->fd) && ++done < roundtrips) pp.send(pp.ping);
            }
        }
    });
}

#ifdef __linux__
double raw_epoll(const std::vector<int>& idle, const PingPong& pp, int roundtrips) {
    int epfd = ::epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) throw_errno("epoll_create1");
    auto add = [epfd](int fd) {
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.fd = fd;
        if (::epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event) != 0) throw_errno("epoll_ctl");
    };
    for (int fd : idle)
        add(fd);
    add(pp.ping.read_end());
    add(pp.pong.read_end());
    std::array<epoll_event, 64> ready{};
    int done = 0;
    double seconds = time_seconds([&] {
        pp.send(pp.ping);
        while (done < roundtrips) {
            int n = ::epoll_wait(epfd, ready.data(), ready.size(), -1);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw_errno("epoll_wait");
            for (int i = 0; i < n; ++i)
                if (pp.on_readable(ready[i].data.fd) && ++done < roundtrips) pp.send(pp.ping);
        }
    });
    ::close(epfd);
    return seconds;
}
#endif

// ------------------------------------------------------------------ the sweep

constexpr std::array<int, 4> idle_counts{10, 100, 1000, 10000};

// 10,000 round trips (the workload in README.md) where a wait is cheap; fewer where select or
// poll scan 1,000 or 10,000 fds per wait, so the whole sweep stays in seconds.
int roundtrips_for(std::string_view selector, int idle) {
    if (selector == "epoll" || idle <= 100) return 10'000;
    return idle <= 1000 ? 2'000 : 300;
}

std::vector<Field> context(std::string_view selector, int idle) {
    return {text("selector", selector), num("idle", idle)};
}

void report(std::string_view impl, std::string_view selector, int idle, int roundtrips,
            double us_per_roundtrip) {
    std::vector<Field> fields = context(selector, idle);
    fields.push_back(num("roundtrips", roundtrips));
    fields.push_back(num("us_per_roundtrip", us_per_roundtrip, 3));
    result("B7", impl, fields);
}

double run_raw(std::string_view selector, const IdleFds& idle_fds, int roundtrips) {
    PingPong pp;
    if (selector == "select") return raw_select(idle_fds.fds(), pp, roundtrips);
#ifdef __linux__
    if (selector == "epoll") return raw_epoll(idle_fds.fds(), pp, roundtrips);
#endif
    return raw_poll(idle_fds.fds(), pp, roundtrips);
}

void measure_raw(std::string_view selector, int idle, int roundtrips) {
    IdleFds idle_fds(idle);
    double seconds = best_of(default_runs, [&] { return run_raw(selector, idle_fds, roundtrips); });
    report("raw", selector, idle, roundtrips, seconds * 1e6 / roundtrips);
}

#ifdef LOOPLAB_HAS_EVENT_LOOP
// The same ping-pong through the loop: the idle fds are readers that never
// run; each round trip is two passes of run_once, as it is two waits above.
double run_looplab(std::string_view selector, const IdleFds& idle_fds, int roundtrips) {
    aio::EventLoop loop({.selector = selector});
    for (int fd : idle_fds.fds())
        loop.add_reader(fd, [] {});
    PingPong pp;
    int done = 0;
    loop.add_reader(pp.ping.read_end(), [&] {
        pp.receive(pp.ping);
        pp.send(pp.pong);
    });
    loop.add_reader(pp.pong.read_end(), [&] {
        pp.receive(pp.pong);
        if (++done < roundtrips)
            pp.send(pp.ping);
        else
            loop.stop();
    });
    double seconds = time_seconds([&] {
        pp.send(pp.ping);
        loop.run_forever();
    });
    loop.close(); // unregisters before the pipes close
    return seconds;
}

void measure_looplab(std::string_view selector, int idle, int roundtrips) {
    IdleFds idle_fds(idle);
    double seconds =
        best_of(default_runs, [&] { return run_looplab(selector, idle_fds, roundtrips); });
    report("looplab", selector, idle, roundtrips, seconds * 1e6 / roundtrips);
}
#else
void measure_looplab(std::string_view selector, int idle, int) {
    skipped("B7", "looplab", "chapter-03-missing:event_loop.hpp", context(selector, idle));
}
#endif

// select() cannot watch an fd numbered FD_SETSIZE or above: idle fds, the two
// active pipes (4 fds), stdin/out/err and a few spare must stay below it.
bool fits_select(int idle) {
    return idle + 16 < FD_SETSIZE;
}

void measure_pair(std::string_view selector, int idle) {
    if (selector == "select" && !fits_select(idle)) {
        for (std::string_view impl : {"raw", "looplab"})
            skipped("B7", impl, "fds-exceed-FD_SETSIZE", context(selector, idle));
        return;
    }
    int roundtrips = roundtrips_for(selector, idle);
    measure(
        "B7", "raw", [&] { measure_raw(selector, idle, roundtrips); }, context(selector, idle));
    measure(
        "B7", "looplab", [&] { measure_looplab(selector, idle, roundtrips); },
        context(selector, idle));
}

} // namespace

void run_b7_scaling() {
#ifdef __linux__
    constexpr std::array<std::string_view, 3> selectors{"select", "poll", "epoll"};
#else
    constexpr std::array<std::string_view, 2> selectors{"select", "poll"};
#endif
    for (int idle : idle_counts)
        for (std::string_view selector : selectors)
            measure_pair(selector, idle);
}

} // namespace looplab::bench
