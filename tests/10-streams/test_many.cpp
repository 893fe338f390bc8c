// Graded test, 10,000 concurrent connections against one server. The clients
// live in a child process (each side needs one fd per connection), written
// with plain non-blocking sockets and poll().
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <string>
#include <vector>

#include "streams_test_helpers.hpp"

using aio::Coro;
using aio::EventLoop;
using aio::Server;
using aio::StreamReader;
using aio::StreamWriter;
using namespace looplab;

namespace {

constexpr int CONNECTIONS = 10000;

// The soft fd limit raised to the hard one; false if that is still too low.
bool raise_fd_limit(rlim_t needed) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    return limit.rlim_cur >= needed;
}

// Waits until every fd in the batch has the event (or an error); false on timeout.
bool wait_all(const std::vector<int>& fds, short event) {
    std::vector<pollfd> pending;
    for (int fd : fds)
        pending.push_back({fd, event, 0});
    while (!pending.empty()) {
        if (::poll(pending.data(), pending.size(), 20000) <= 0) return false;
        std::erase_if(pending, [](const pollfd& p) { return p.revents != 0; });
        for (pollfd& p : pending)
            p.revents = 0;
    }
    return true;
}

// The child: open every connection, send a line on each, read each echo, tell
// the parent how many worked, wait for its word, then close them all.
[[noreturn]] void clients(std::uint16_t port, int control) {
    raise_fd_limit(CONNECTIONS + 100);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    std::vector<int> all;
    for (int start = 0; start < CONNECTIONS; start += 500) {
        std::vector<int> batch;
        for (int i = start; i < std::min(CONNECTIONS, start + 500); ++i) {
            int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            if (fd < 0) ::_exit(3);
            ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
            batch.push_back(fd);
        }
        if (!wait_all(batch, POLLOUT)) ::_exit(4);
        all.insert(all.end(), batch.begin(), batch.end());
    }
    for (int fd : all)
        ::send(fd, "x\n", 2, MSG_NOSIGNAL);
    int echoed = 0;
    for (std::size_t start = 0; start < all.size(); start += 1000) {
        std::vector<int> batch(all.begin() + start,
                               all.begin() + std::min(all.size(), start + 1000));
        wait_all(batch, POLLIN);
        char line[2];
        for (int fd : batch)
            if (::recv(fd, line, 2, 0) == 2 && line[0] == 'x') ++echoed;
    }
    std::string report = std::to_string(echoed) + "\n";
    ::send(control, report.data(), report.size(), MSG_NOSIGNAL);
    char word;
    (void)::recv(control, &word, 1, 0); // the parent has counted: close everything
    for (int fd : all)
        ::close(fd);
    ::_exit(0);
}

struct Tally {
    int active = 0;
    int peak = 0;
};

Coro<std::string> serve_many(Tally* tally, int control, int child_end) {
    auto handler = [tally](StreamReader reader, StreamWriter writer) -> Coro<void> {
        tally->peak = std::max(tally->peak, ++tally->active);
        std::string line = co_await reader.readline();
        writer.write(line);
        co_await reader.read(); // until the client closes
        --tally->active;
    };
    Server server = co_await aio::start_server(handler);
    pid_t child = ::fork();
    if (child == 0) clients(server.port(), child_end);
    ::close(child_end);
    auto [reports, replies] = aio::make_streams(control);
    std::string echoed = co_await reports.readline();
    std::string peak = std::to_string(tally->peak);
    replies.write("!"); // close your side
    server.close();
    co_await server.wait_closed();
    int status = 0;
    ::waitpid(child, &status, 0);
    co_return "echoed " + echoed.substr(0, echoed.size() - 1) + ", peak " + peak + ", child exit " +
        std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

} // namespace

TEST(Server, TenThousandConcurrentConnections) {
    if (!raise_fd_limit(CONNECTIONS + 100))
        GTEST_SKIP() << "the hard fd limit (ulimit -Hn) is below " << CONNECTIONS + 100
                     << ": raise it to run this test";
    auto [control, child_end] = socket_pair();
    EventLoop loop;
    Tally tally;
    std::string figures = run_bounded(loop, serve_many(&tally, control, child_end), 90s);
    EXPECT_EQ(figures, "echoed 10000, peak 10000, child exit 0")
        << "ch10.accept: one server holds 10,000 connections at once, each answered";
    EXPECT_EQ(tally.active, 0) << "every handler finished once its client closed";
}
