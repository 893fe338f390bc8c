// Chapter 06 demo: ten downloads from the slow local server, three ways:
// gather (all results at once), as_completed (each as it arrives) and a
// TaskGroup in which one download fails and the others are cancelled.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "combinators.hpp"
#include "slow_server.hpp"
#include "timing.hpp"

using namespace std::chrono_literals;
using aio::Coro;
using aio::Future;
using aio::Task;

namespace {

// The socket of one download; unregistered from the loop, then closed, however the download ends.
struct Connection {
    int fd;
    aio::EventLoop& loop;
    ~Connection() {
        loop.remove_reader(fd);
        loop.remove_writer(fd);
        ::close(fd);
    }
};

// A future the loop resolves when fd is ready (asyncio: loop.sock_recv's reader).
Future<void> ready(aio::EventLoop& loop, int fd, bool for_writing) {
    Future<void> ready(loop);
    auto fire = [ready, &loop, fd, for_writing]() mutable {
        for_writing ? loop.remove_writer(fd) : loop.remove_reader(fd);
        if (!ready.done()) ready.set_result();
    };
    for_writing ? loop.add_writer(fd, fire) : loop.add_reader(fd, fire);
    return ready;
}

Coro<void> connect_to(Connection& c, std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(c.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) < 0 &&
        errno != EINPROGRESS)
        throw aio::Error(std::string("connect: ") + std::strerror(errno));
    co_await ready(c.loop, c.fd, true);
    int error = 0;
    socklen_t size = sizeof error;
    ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &size);
    if (error != 0) throw aio::Error("port " + std::to_string(port) + ": " + std::strerror(error));
}

// One request line, one answer line.
Coro<std::string> download(std::uint16_t port, std::string request) {
    aio::EventLoop& loop = aio::get_running_loop();
    Connection c{::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), loop};
    co_await connect_to(c, port);
    std::string line = request + "\n";
    if (::send(c.fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size()))
        throw aio::Error("send: " + request);
    std::string answer;
    while (answer.find('\n') == std::string::npos) {
        co_await ready(loop, c.fd, false);
        char buffer[256];
        ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
        if (n <= 0) throw aio::Error("the server closed the connection: " + request);
        answer.append(buffer, static_cast<std::size_t>(n));
    }
    co_return answer.substr(0, answer.find('\n'));
}

// Waits `delay` first, so that the answers arrive in a different order.
Coro<std::string> download_after(aio::Duration delay, std::uint16_t port, std::string request) {
    co_await aio::sleep(delay);
    co_return co_await download(port, request);
}

// A port nobody listens on (bound, then closed): connecting there fails.
std::uint16_t closed_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), size);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
    ::close(fd);
    return ntohs(address.sin_port);
}

std::string file(int i) {
    return "file-" + std::to_string(i);
}

Coro<void> with_gather(std::uint16_t port) {
    std::printf("\n1. gather: ten downloads at once, results in request order\n");
    looplab::Stopwatch watch;
    std::vector<Task<std::string>> downloads;
    for (int i = 0; i < 10; ++i)
        downloads.push_back(aio::create_task(download(port, file(i))));
    std::vector<std::string> answers = co_await aio::gather(downloads);
    for (const std::string& answer : answers)
        std::printf("   %s\n", answer.c_str());
    std::printf("   10 x 100 ms in %.2f s (one after another: about 1 s)\n", watch.seconds());
}

Coro<void> with_as_completed(std::uint16_t port) {
    std::printf(
        "\n2. as_completed: each result as it arrives (download i starts (9 - i) x 30 ms late)\n");
    looplab::Stopwatch watch;
    std::vector<Future<std::string>> downloads;
    for (int i = 0; i < 10; ++i)
        downloads.push_back(aio::create_task(download_after((9 - i) * 30ms, port, file(i))));
    aio::AsCompleted<std::string> arrivals = aio::as_completed(downloads);
    while (!arrivals.empty()) {
        std::string answer = co_await arrivals.next();
        std::printf("   t = %.2f s  %s\n", watch.seconds(), answer.c_str());
    }
}

Coro<void> with_task_group(std::uint16_t port) {
    std::printf("\n3. TaskGroup: download 7 goes to a closed port; the group cancels the rest\n");
    std::vector<Task<std::string>> downloads;
    std::uint16_t nobody = closed_port();
    auto start_all = [&](aio::TaskGroup& group) -> Coro<void> {
        for (int i = 0; i < 10; ++i)
            downloads.push_back(group.create_task(
                download_after(i == 7 ? 20ms : 0ms, i == 7 ? nobody : port, file(i))));
        co_return;
    };
    try {
        co_await aio::task_group(start_all);
    } catch (const aio::ExceptionGroup& group) {
        std::printf("   ExceptionGroup: %s\n", group.what());
        for (const std::exception_ptr& e : group.exceptions()) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& error) {
                std::printf("     - %s\n", error.what());
            }
        }
    }
    int cancelled = 0;
    for (const Task<std::string>& d : downloads)
        cancelled += d.cancelled() ? 1 : 0;
    std::printf("   %d of 10 downloads were cancelled by the group\n", cancelled);
}

Coro<void> demo(std::uint16_t port) {
    co_await with_gather(port);
    co_await with_as_completed(port);
    co_await with_task_group(port);
}

} // namespace

int main() {
    looplab::SlowServer server; // 127.0.0.1, an ephemeral port, 100 ms per answer
    std::printf("Chapter 06: combinators. Slow server on 127.0.0.1:%u, 100 ms per answer.\n",
                static_cast<unsigned>(server.port()));
    try {
        aio::run(demo(server.port()));
    } catch (const std::exception& error) { // e.g. a TODO still in lessons/
        std::printf("\nThe demo stopped: %s\n", error.what());
        return 1;
    }
    std::printf("\nPeak concurrency seen by the server: %d requests at once\n",
                server.peak_concurrency());
}
