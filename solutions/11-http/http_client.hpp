// The HTTP client: a session with a keep-alive pool per host:port, limits,
// redirects and timeouts (aiohttp: ClientSession, TCPConnector, ClientTimeout).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "future.hpp"
#include "http_message.hpp"
#include "http_parser.hpp"
#include "streams.hpp"
#include "task.hpp"

namespace aio::http {

// aiohttp.ClientTimeout; nullopt: no limit. A TimeoutError's message names
// which one ran out: "total", "connect" or "sock_read".
struct ClientTimeout {
    std::optional<Duration> total = std::chrono::seconds(300); // the whole request, redirects too
    std::optional<Duration> connect;   // getting a connection, the pool's wait included
    std::optional<Duration> sock_read; // between two reads
};

struct ClientOptions {
    ClientTimeout timeout;
    std::size_t limit = 100, limit_per_host = 0; // connections in use at once (0: no limit)
    int max_redirects = 10;
    Headers headers;                                       // sent with every request
    Duration keepalive_timeout = std::chrono::seconds(15); // an idle pooled connection is closed
    Limits limits;
};

namespace detail {

// http://host[:port][/path][?query]
struct Url {
    std::string host;
    std::uint16_t port = 80;
    std::string target = "/"; // path?query
    std::string text() const; // the absolute URL
    std::string key() const { return host + ":" + std::to_string(port); }
};
Url parse_url(std::string_view url);                                 // https or junk: ValueError
std::string resolve_url(const Url& base, std::string_view location); // a Location, made absolute

// One pooled TCP connection.
struct Connection {
    StreamReader reader;
    StreamWriter writer;
    std::string key;
    TimePoint idle_since{};
    bool reused = false; // it served a request before this one
};

// The connections of a session: idle ones per host:port, slots counted
// against the limits, FIFO waiters (aiohttp: TCPConnector).
class Pool {
public:
    explicit Pool(const ClientOptions& options) : options_(options) {}
    Coro<Connection> acquire(const Url& url);           // reuses, connects, or waits for a slot
    void release(Connection connection, bool reusable); // back to idle, or closed
    void close();                                       // closes the idle ones
    std::size_t opened() const { return opened_; }
    std::size_t idle() const;

private:
    struct Waiter {
        std::string key;
        Future<void> wake; // its result: a slot was handed over
    };
    bool has_room(const std::string& key) const;
    void take_slot(const std::string& key);
    void free_slot(const std::string& key); // and hand it to the first waiter that fits
    std::optional<Connection> take_idle(const std::string& key);
    Coro<void> wait_for_slot(const std::string& key);

    const ClientOptions& options_;
    std::map<std::string, std::deque<Connection>> idle_;
    std::map<std::string, std::size_t> in_use_; // per key
    std::size_t in_use_total_ = 0;
    std::size_t opened_ = 0;
    std::list<Waiter> waiters_;
};

struct SessionState {
    explicit SessionState(ClientOptions o) : options(std::move(o)), pool(options) {}
    ClientOptions options;
    Pool pool;
    bool closed = false;
};

// One request and its response on one connection, with the one retry of a
// pooled connection found closed (no redirects).
Coro<Response> send_once(std::shared_ptr<SessionState> state, std::string method, Url url,
                         std::string body, Headers headers);

} // namespace detail

// A copyable handle; binds to the loop of its first request. Responses are
// read whole.
class ClientSession {
public:
    explicit ClientSession(ClientOptions options = {});
    Coro<Response> request(std::string method, std::string url, std::string body = {},
                           Headers headers = {});
    Coro<Response> get(std::string url, Headers headers = {});
    Coro<Response> post(std::string url, std::string body, Headers headers = {});
    Coro<void> close(); // closes idle connections; a request after it: RuntimeError
    std::size_t connections_opened() const { return state_->pool.opened(); }
    std::size_t idle_connections() const { return state_->pool.idle(); }

private:
    std::shared_ptr<detail::SessionState> state_;
};

// For retry policies (chapter 12): a 5xx or 429 answer is worth another try.
bool retryable(int status);

} // namespace aio::http
