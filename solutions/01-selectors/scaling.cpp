// The scaling measurement: one ping-pong pipe pair among N idle registered fds.
#include "scaling.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <system_error>
#include <vector>

#include "selector.hpp"

namespace aio {

namespace {

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

} // namespace

double us_per_roundtrip(std::string_view selector_name, int idle, int roundtrips) {
    std::unique_ptr<Selector> selector = make_selector(selector_name);
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

} // namespace aio
