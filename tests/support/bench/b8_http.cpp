// B8 http: the chapter 11 server answers `GET /json` (a small JSON body) with
// keep-alive; one load-generator process keeps 100 connections each sending a
// request and waiting for its answer, for 5 s. Against a raw epoll responder
// that writes one fixed HTTP answer per request it finds (no parser, no
// routing, no Date): the floor of what an HTTP server can cost here.
#include <netinet/tcp.h>
#include <string>
#include <string_view>
#include <sys/epoll.h>
#include <vector>

#include "bench.hpp"
#include "server_process.hpp"

#if __has_include("http.hpp") && __has_include("http_server.hpp")
#include "http.hpp"
#include "http_server.hpp"
#include "task.hpp"
#define LOOPLAB_HAS_HTTP 1
#endif

namespace looplab::bench {

namespace {

constexpr int connections = 100;
constexpr auto run_time = std::chrono::seconds(5);
constexpr std::string_view request = "GET /json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
constexpr std::string_view json_body = R"({"slideshow": {"author": "looplab", "slides": 3}})";

std::string fixed_answer() {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(json_body.size()) + "\r\n\r\n" + std::string(json_body);
}

// The raw baseline: level-triggered epoll; each "\r\n\r\n" seen is one request.
[[noreturn]] void raw_http_server(int listener) {
    const std::string answer = fixed_answer();
    int epoll = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event event{EPOLLIN, {.fd = listener}};
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
    std::vector<std::string> pending(65536);
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
                pending[fd].clear();
                ::close(fd);
                continue;
            }
            std::string& in = pending[fd];
            in.append(buffer, static_cast<std::size_t>(got));
            std::string out;
            for (std::size_t end; (end = in.find("\r\n\r\n")) != std::string::npos;) {
                in.erase(0, end + 4);
                out += answer;
            }
            if (!out.empty()) ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
        }
    }
}

#ifdef LOOPLAB_HAS_HTTP
aio::Coro<void> kit_http_server(int report_fd) {
    aio::http::Application app;
    app.add_get("/json", [](aio::http::Request) -> aio::Coro<aio::http::Response> {
        aio::http::Response response = aio::http::text_response(std::string(json_body));
        response.headers.set("Content-Type", "application/json");
        co_return response;
    });
    aio::Server server = co_await aio::http::serve(std::move(app));
    std::uint16_t port = server.port();
    (void)!::write(report_fd, &port, sizeof port);
    ::close(report_fd);
    co_await server.serve_forever();
}
#endif

// Bytes of one whole answer at the front of `in`, or 0 while it is incomplete.
std::size_t whole_answer(const std::string& in) {
    std::size_t end = in.find("\r\n\r\n");
    if (end == std::string::npos) return 0;
    std::size_t at = in.find("Content-Length: ");
    if (at == std::string::npos || at > end) throw std::runtime_error("an answer without length");
    std::size_t length = std::stoul(in.substr(at + 16, in.find("\r\n", at) - at - 16));
    return in.size() >= end + 4 + length ? end + 4 + length : 0;
}

// The load generator: 100 keep-alive connections, one request in flight each.
double load(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    int epoll = ::epoll_create1(EPOLL_CLOEXEC);
    std::vector<int> fds;
    std::vector<std::string> received(connections);
    for (int i = 0; i < connections; ++i) {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
            throw std::runtime_error("connect to the http server");
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        epoll_event event{EPOLLIN, {.u32 = static_cast<std::uint32_t>(i)}};
        ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
        fds.push_back(fd);
        ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    }
    long answers = 0;
    char buffer[16384];
    epoll_event ready[connections];
    auto start = BenchClock::now();
    while (BenchClock::now() - start < run_time) {
        int n = ::epoll_wait(epoll, ready, connections, 100);
        for (int i = 0; i < n; ++i) {
            std::uint32_t c = ready[i].data.u32;
            ssize_t got = ::recv(fds[c], buffer, sizeof buffer, 0);
            if (got <= 0) throw std::runtime_error("the http server closed a connection");
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

} // namespace

void run_b8_http() {
    pin_to_core(1); // the load generator
    double raw = 0;
    measure("B8", "raw", [&] {
        std::uint16_t port = 0;
        int listener = listen_ephemeral(&port);
        raw = measure_server(
            [listener, port](int report_fd) {
                (void)!::write(report_fd, &port, sizeof port);
                ::close(report_fd);
                raw_http_server(listener);
            },
            load);
        ::close(listener);
        result("B8", "raw", {num("req_per_s", raw)});
    });
#ifdef LOOPLAB_HAS_HTTP
    measure("B8", "looplab", [&] {
        double rate =
            measure_server([](int report_fd) { aio::run(kit_http_server(report_fd)); }, load);
        std::vector<Field> fields{num("req_per_s", rate)};
        if (raw > 0) fields.push_back(num("ratio", rate / raw, 2));
        result("B8", "looplab", fields);
    });
#else
    skipped("B8", "looplab", "chapter-11-missing:http.hpp");
#endif
}

} // namespace looplab::bench
