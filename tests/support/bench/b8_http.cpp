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

// The raw baseline: each "\r\n\r\n" seen on a connection is one request.
[[noreturn]] void raw_http_server(int listener) {
    static const std::string answer = fixed_answer();
    static std::vector<std::string> pending(65536); // by fd
    raw_epoll_server(
        listener,
        [](int fd, const char* data, std::size_t size) {
            std::string& in = pending[static_cast<std::size_t>(fd)];
            in.append(data, size);
            std::string out;
            for (std::size_t end; (end = in.find("\r\n\r\n")) != std::string::npos;) {
                in.erase(0, end + 4);
                out += answer;
            }
            if (!out.empty()) ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
        },
        [](int fd) { pending[static_cast<std::size_t>(fd)].clear(); });
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
    return ping_pong_load(port, connections, run_time, request, whole_answer);
}

} // namespace

void run_b8_http() {
    pin_to_core(1); // the load generator
    double raw = 0;
    measure("B8", "raw", [&] {
        raw = measure_raw_server(raw_http_server, load);
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
