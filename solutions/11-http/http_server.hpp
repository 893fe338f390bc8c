// The HTTP server: an Application routes requests to handlers; serve() runs
// it on chapter 10's start_server (aiohttp: web.Application, web.AppRunner,
// web_protocol.RequestHandler).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http_message.hpp"
#include "http_parser.hpp"
#include "streams.hpp"
#include "task.hpp"

namespace aio::http {

using Handler = std::function<Coro<Response>(Request)>;

class Application {
public:
    // pattern: "/user/{user_id}"; a {name} segment matches one non-empty
    // segment; method "*" matches every method (aiohttp: METH_ANY)
    void add_route(std::string method, std::string pattern, Handler handler);
    void add_get(std::string pattern, Handler handler); // answers HEAD too (body dropped)
    void add_post(std::string pattern, Handler handler);
    // No route: 404; the path routed for other methods: 405 with Allow (HEAD
    // listed with GET); a handler's HttpError: its status; any other exception:
    // a plain 500, and the exception to the loop's exception handler, once.
    Coro<Response> handle(Request request) const;

private:
    struct Route {
        std::string method;
        std::vector<std::string> segments;
        Handler handler;
    };
    std::vector<Route> routes_;
};

namespace detail {
std::vector<std::string> split_path(std::string_view path); // "/a/b" -> {"a", "b"}
// Does the path fit the pattern's segments? The {name} parts go to params.
bool match_route(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
                 std::map<std::string, std::string>& params);
} // namespace detail

struct ServerOptions {
    Limits limits;
    Duration keepalive_timeout = std::chrono::seconds(75); // idle between requests; a stalled body
    Duration header_timeout = std::chrono::seconds(10);    // from a request's first byte (from
                                                        // accept for the first) to its empty line
    Duration linger = std::chrono::seconds(2); // after an error answer, read off what still comes
};

// Keeps the Application alive until its last connection closes. Answers
// pipelined requests in order, always HTTP/1.1 with Date, Server and
// Content-Length; a malformed request: its status with Connection: close,
// then a lingering close; a timeout: closed without an answer.
Coro<Server> serve(Application app, std::string host = "127.0.0.1", std::uint16_t port = 0,
                   ServerOptions options = {});

namespace detail {
struct ServerContext {
    Application app;
    ServerOptions options;
};
// One connection, from accept to close (aiohttp: RequestHandler.start).
Coro<void> serve_connection(std::shared_ptr<const ServerContext> context, StreamReader reader,
                            StreamWriter writer);
} // namespace detail

} // namespace aio::http
