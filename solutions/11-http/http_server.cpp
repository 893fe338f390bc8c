// One HTTP connection from accept to close: read requests through the
// parser, answer each in order, keep the connection alive or close it
// (aiohttp: web_protocol.RequestHandler.start and finish_response).
#include <optional>

#include "combinators.hpp"
#include "http_server.hpp"

namespace aio::http {

namespace detail {

namespace {

constexpr std::size_t READ_CHUNK = 65536;

Response error_answer(const HttpError& e) {
    Response r = text_response(std::to_string(e.status) + ": " + e.what(), e.status);
    r.headers.set("Connection", "close");
    return r;
}

// After an error answer: half-close, read off what the client still sends for
// a while, then close. A plain close over unread input sends a reset, which can
// destroy the answer in flight (RFC 9112 §9.6; aiohttp: lingering_time).
Coro<void> close_lingering(StreamReader reader, StreamWriter writer, Duration linger) {
    //@scratch ch11.lingering
    //@exercise ch11.lingering  Half-close, read off what still comes until EOF, an error or the linger time, then close.
    writer.write_eof();
    TimePoint until = get_running_loop().time() + linger;
    try {
        for (;;) { // (not in the loop's condition: GCC 12 mishandles a co_await there)
            std::string unread = co_await timeout_at(until, reader.read(READ_CHUNK));
            if (unread.empty()) break;
        }
    } catch (const Error&) {
        // the linger time ran out or the peer reset: close anyway
    }
    writer.close();
    //@end
    //@end
}

bool expects_continue(const Request& head) {
    return head.version == 11 && iequals(head.headers.get("Expect").value_or(""), "100-continue");
}

} // namespace

Coro<std::optional<Request>> read_request(RequestParser& parser, StreamReader& reader,
                                          StreamWriter& writer, Deadlines& deadlines,
                                          const ServerOptions& options) {
    //@scratch ch11.read_request
    //@exercise ch11.read_request  Feed reads to the parser until a request is complete; the right deadline for each read; 100 Continue.
    EventLoop& loop = get_running_loop();
    bool continue_sent = false;
    for (;;) {
        if (std::optional<Request> request = parser.next()) co_return request;
        std::optional<Request> head = parser.pending();
        if (head && expects_continue(*head) && !continue_sent) {
            writer.write("HTTP/1.1 100 Continue\r\n\r\n");
            continue_sent = true;
        }
        TimePoint deadline = head            ? loop.time() + options.keepalive_timeout
                             : parser.idle() ? deadlines.idle
                                             : deadlines.head;
        bool was_idle = parser.idle();
        std::string data = co_await timeout_at(deadline, reader.read(READ_CHUNK));
        if (data.empty()) {
            parser.feed_eof(); // mid-message: HttpError 400
            co_return std::nullopt;
        }
        if (was_idle) deadlines.head = loop.time() + options.header_timeout;
        parser.feed(data);
    }
    //@end
    //@end
}

Coro<void> serve_connection(std::shared_ptr<const ServerContext> context, StreamReader reader,
                            StreamWriter writer) {
    //@scratch ch11.serve_connection
    //@exercise ch11.serve_connection  Request after request: answer each in order; keep alive or close; errors answered, timeouts closed.
    const ServerOptions& options = context->options;
    EventLoop& loop = get_running_loop();
    RequestParser parser(options.limits);
    Deadlines deadlines{loop.time() + options.header_timeout, loop.time() + options.header_timeout};
    std::optional<HttpError> refused;
    try {
        for (;;) {
            std::optional<Request> request;
            if (!refused) {
                try {
                    request = co_await read_request(parser, reader, writer, deadlines, options);
                } catch (const HttpError& e) {
                    refused = e;
                }
            }
            // Pipelined requests completed before the bad bytes are answered
            // first, in order (as a server on h11 does); then the error.
            if (refused) request = parser.next();
            if (!request) break;
            request->peer = writer.peername();
            bool keep_alive = request->keep_alive();
            bool head = request->method == "HEAD";
            int version = request->version;
            Response response = co_await context->app.handle(std::move(*request));
            if (!keep_alive)
                response.headers.set("Connection", "close");
            else if (version == 10)
                response.headers.set("Connection", "keep-alive");
            writer.write(serialize(response, head));
            co_await writer.drain();
            if (!keep_alive) {
                refused.reset(); // closed after this answer: the bad bytes went unread
                break;
            }
            deadlines.idle = loop.time() + options.keepalive_timeout;
        }
    } catch (const TimeoutError&) {
        writer.close(); // a slow or idle client: no answer
        co_return;
    } catch (const ConnectionError&) {
        writer.close(); // the client went away
        co_return;
    }
    if (!refused) {
        writer.close();
        co_return;
    }
    writer.write(serialize(error_answer(*refused)));
    co_await close_lingering(reader, writer, options.linger);
    //@end
    //@end
}

} // namespace detail

Coro<Server> serve(Application app, std::string host, std::uint16_t port, ServerOptions options) {
    auto context = std::make_shared<const detail::ServerContext>(
        detail::ServerContext{std::move(app), options});
    auto handler = [context](StreamReader reader, StreamWriter writer) {
        return detail::serve_connection(context, std::move(reader), std::move(writer));
    };
    co_return co_await start_server(std::move(handler), std::move(host), port);
}

} // namespace aio::http
