// Graded tests, the server's, the pool's, the client's and the cache's
// pieces called directly: read_request on a socket pair, the pool against a
// plain TCP listener, exchange on one connection, the LRU map.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "http_test_helpers.hpp"

using aio::Coro;
using aio::EventLoop;
using aio::http::Request;
using aio::http::Response;
namespace detail = aio::http::detail;
using namespace looplab;

namespace {

struct Pair {
    int mine; // the loop's end, made into streams inside the coroutine
    int peer; // a blocking fd the test writes to
};

Pair socket_pair() {
    int fds[2];
    ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds);
    ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    return {fds[0], fds[1]};
}

Coro<std::vector<std::string>> read_requests(Pair pair, aio::http::ServerOptions options,
                                             int count) {
    auto [reader, writer] = aio::make_streams(pair.mine);
    aio::http::RequestParser parser;
    aio::EventLoop& loop = aio::get_running_loop();
    detail::Deadlines deadlines{loop.time() + options.header_timeout,
                                loop.time() + options.header_timeout};
    std::vector<std::string> got;
    for (int i = 0; i < count; ++i) {
        try {
            auto r = co_await detail::read_request(parser, reader, writer, deadlines, options);
            got.push_back(r ? r->method + " " + r->target + " [" + r->body + "]" : "closed");
        } catch (const aio::TimeoutError&) {
            got.push_back("TimeoutError");
        } catch (const aio::http::HttpError& e) {
            got.push_back("HttpError " + std::to_string(e.status));
        }
    }
    co_return got;
}

std::string drain_peer(int fd) {
    std::string all;
    char chunk[4096];
    ssize_t n;
    while ((n = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT)) > 0)
        all.append(chunk, static_cast<std::size_t>(n));
    return all;
}

} // namespace

TEST(ReadRequest, ReadsPipelinedRequestsThenSeesTheClose) {
    EventLoop loop;
    Pair p = socket_pair();
    std::string bytes = "GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi";
    ::send(p.peer, bytes.data(), bytes.size(), 0);
    ::shutdown(p.peer, SHUT_WR);
    auto got = run_bounded(loop, read_requests(p, {}, 3));
    ::close(p.peer);
    ASSERT_EQ(got.size(), 3u) << "every step of the scenario ran";
    EXPECT_EQ(got[0], "GET /a []") << "ch11.read_request: the first request";
    EXPECT_EQ(got[1], "POST /b [hi]")
        << "ch11.read_request: the pipelined second one, with its body";
    EXPECT_EQ(got[2], "closed") << "ch11.read_request: EOF between requests: nullopt";
}

TEST(ReadRequest, SendsContinueAndAppliesTheDeadlines) {
    EventLoop loop;
    Pair p = socket_pair();
    std::string head = "PUT /up HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n";
    ::send(p.peer, head.data(), head.size(), 0);
    aio::http::ServerOptions options;
    options.keepalive_timeout = 100ms; // a stalled body, then the idle connection
    auto got = run_bounded(loop, read_requests(p, options, 1));
    EXPECT_EQ(got[0], "TimeoutError") << "ch11.read_request: a body stalled past keepalive_timeout";
    EXPECT_EQ(drain_peer(p.peer), "HTTP/1.1 100 Continue\r\n\r\n")
        << "ch11.read_request: 100 Continue is sent once the head asks for it";
    ::close(p.peer);

    Pair slow = socket_pair();
    ::send(slow.peer, "GET / HT", 8, 0);
    aio::http::ServerOptions quick;
    quick.header_timeout = 100ms;
    EXPECT_EQ(run_bounded(loop, read_requests(slow, quick, 1))[0], "TimeoutError")
        << "ch11.read_request: a head not complete within header_timeout";
    ::close(slow.peer);

    Pair bad = socket_pair();
    ::send(bad.peer, "GET / HTTP/1.1\r\nA : b\r\n\r\n", 26, 0);
    EXPECT_EQ(run_bounded(loop, read_requests(bad, {}, 1))[0], "HttpError 400")
        << "ch11.read_request: malformed bytes: the parser's HttpError";
    ::close(bad.peer);
}

namespace {
Coro<void> hold(aio::StreamReader reader, aio::StreamWriter writer) {
    for (;;) {
        std::string got = co_await reader.read(65536);
        if (got.empty()) break;
    }
    writer.close();
}

Coro<std::vector<std::size_t>> pool_acquires() {
    aio::Server server = co_await aio::start_server(hold);
    aio::http::ClientOptions options;
    detail::Pool pool(options);
    detail::Url url{"127.0.0.1", server.port(), "/"};
    detail::Connection a = co_await pool.acquire(url);
    detail::Connection b = co_await pool.acquire(url);
    std::vector<std::size_t> out{pool.opened(), pool.idle(), a.key == url.key()};
    a.writer.close();
    b.writer.close();
    server.close();
    co_await aio::timeout(5s, server.wait_closed());
    co_return out;
}

Coro<std::vector<std::string>> pool_hand_off() {
    aio::Server server = co_await aio::start_server(hold);
    aio::http::ClientOptions options;
    options.limit_per_host = 1;
    detail::Pool pool(options);
    detail::Url url{"127.0.0.1", server.port(), "/"};
    std::vector<std::string> log;
    detail::Connection first = co_await pool.acquire(url);
    auto waiter = [](detail::Pool* pool, detail::Url url,
                     std::vector<std::string>* log) -> Coro<void> {
        detail::Connection c = co_await pool->acquire(url);
        log->push_back(c.reused ? "waiter got the pooled connection" : "waiter opened one");
        pool->release(std::move(c), false);
    };
    aio::Task<void> second = aio::create_task(waiter(&pool, url, &log));
    co_await aio::sleep(20ms);
    log.push_back(second.done() ? "waiter did not wait" : "waiter waits");
    pool.release(std::move(first), false); // closed: the waiter gets the slot, not it
    co_await second;
    log.push_back("opened " + std::to_string(pool.opened()) + ", idle " +
                  std::to_string(pool.idle()));
    // A connect that fails must give its slot back: with limit 1, a refused
    // connect and then a good one.
    aio::http::ClientOptions one;
    one.limit = 1;
    detail::Pool small(one);
    aio::Server gone = co_await aio::start_server(hold);
    detail::Url refused{"127.0.0.1", gone.port(), "/"};
    gone.close();
    co_await gone.wait_closed();
    try {
        co_await small.acquire(refused);
    } catch (const aio::ConnectionError&) {
    }
    detail::Connection c = co_await aio::timeout(2s, small.acquire(url));
    log.push_back("after a refused connect: opened " + std::to_string(small.opened()));
    c.writer.close();
    pool.close();
    server.close();
    co_await aio::timeout(5s, server.wait_closed());
    co_return log;
}
} // namespace

TEST(Pool, AcquireOpensAConnectionPerSlot) {
    EventLoop loop;
    auto got = run_bounded(loop, pool_acquires());
    EXPECT_EQ(got[0], 2u) << "ch11.acquire: two acquires, two connections opened";
    EXPECT_EQ(got[1], 0u) << "ch11.acquire: none idle while both are in use";
    EXPECT_EQ(got[2], 1u) << "ch11.acquire: the connection's key is host:port";
}

namespace {
Coro<std::vector<std::string>> pool_reuse() {
    aio::Server server = co_await aio::start_server(hold);
    aio::http::ClientOptions options;
    detail::Pool pool(options);
    detail::Url url{"127.0.0.1", server.port(), "/"};
    std::vector<std::string> log;
    detail::Connection a = co_await pool.acquire(url);
    pool.release(std::move(a), true);
    detail::Connection b = co_await pool.acquire(url);
    log.push_back(b.reused ? "reused" : "new");
    detail::Connection c = co_await pool.acquire(url);
    log.push_back(c.reused ? "reused" : "new");
    pool.release(std::move(b), true);
    c.writer.close(); // closed, then handed back as if it were fine
    pool.release(std::move(c), true);
    co_await aio::sleep(20ms);
    detail::Connection d = co_await pool.acquire(url);
    log.push_back(d.writer.is_closing() ? "a closed one" : d.reused ? "reused" : "new");
    log.push_back("opened " + std::to_string(pool.opened()));
    d.writer.close();
    pool.close();
    server.close();
    co_await aio::timeout(5s, server.wait_closed());
    co_return log;
}
} // namespace

TEST(Pool, AnIdleConnectionIsReusedAndADeadOneDropped) {
    EventLoop loop;
    auto got = run_bounded(loop, pool_reuse());
    ASSERT_EQ(got.size(), 4u) << "ch11.take_idle: four steps logged";
    EXPECT_EQ(got[0], "reused") << "ch11.take_idle: an idle connection of that host:port is reused";
    EXPECT_EQ(got[1], "new") << "ch11.take_idle: none idle: a new one";
    EXPECT_EQ(got[2], "reused") << "ch11.take_idle: the live one is taken, the closed one dropped";
    EXPECT_EQ(got[3], "opened 2") << "ch11.take_idle: two connections opened in all";
}

TEST(Pool, AReleasedSlotGoesToTheWaiter) {
    EventLoop loop;
    auto got = run_bounded(loop, pool_hand_off());
    ASSERT_EQ(got.size(), 4u) << "every step of the scenario ran";
    EXPECT_EQ(got[0], "waiter waits") << "ch11.acquire: over limit_per_host, acquire waits";
    EXPECT_EQ(got[1], "waiter opened one")
        << "ch11.free_slot: the freed slot goes to the waiter, which connects";
    EXPECT_EQ(got[2], "opened 2, idle 0")
        << "ch11.free_slot: two connections in all; the waiter's went back closed";
    EXPECT_EQ(got[3], "after a refused connect: opened 1")
        << "ch11.acquire: a refused connect gives its slot back (limit 1: the next one connects)";
}

namespace {
Coro<void> canned(aio::StreamReader reader, aio::StreamWriter writer) {
    std::string request = co_await reader.readuntil("\r\n\r\n");
    writer.write("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                 "\r\n4\r\nseen\r\n");
    co_await aio::sleep(20ms);
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", request.size()); // hexadecimal
    writer.write(size + std::string(request.size(), '.') + "\r\n0\r\n\r\n");
    co_await reader.read(1);
    writer.close();
}

Coro<std::string> one_exchange() {
    aio::Server server = co_await aio::start_server(canned);
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", server.port());
    detail::SessionState state{aio::http::ClientOptions{}};
    detail::Connection c{reader, writer, "k"};
    Request r;
    r.target = "/x";
    r.headers.set("Host", "h");
    bool answered = false;
    Response response = co_await detail::exchange(state, c, r, answered);
    writer.close();
    server.close();
    co_await aio::timeout(5s, server.wait_closed());
    co_return std::to_string(response.status) + " " + response.body.substr(0, 4) + " " +
        std::to_string(response.body.size()) + (answered ? " answered" : " silent");
}
} // namespace

TEST(Exchange, SendsTheRequestAndReadsTheWholeResponse) {
    EventLoop loop;
    // "GET /x HTTP/1.1\r\nHost: h\r\n\r\n" is 28 bytes: the server sends 4 + 28 dots.
    EXPECT_EQ(run_bounded(loop, one_exchange()), "200 seen 32 answered")
        << "ch11.exchange: the serialized request goes out; the 100 is skipped; the chunked "
           "body is read across two writes";
}

TEST(Lru, PutEvictsTheLeastRecentlyUsed) {
    detail::LruMap<int> map(2);
    aio::TimePoint t0{}, when{};
    map.put("a", 1, t0);
    map.put("b", 2, t0 + 1s);
    ASSERT_NE(map.find("a", &when), nullptr) << "ch11.cache_store: a is stored";
    EXPECT_EQ(when, t0) << "ch11.cache_store: with the time it was stored";
    map.put("c", 3, t0 + 2s); // a was used after b: b goes
    EXPECT_EQ(map.size(), 2u) << "ch11.cache_store: never more than max_entries";
    EXPECT_EQ(map.find("b", &when), nullptr) << "ch11.cache_store: b was the least recently used";
    EXPECT_NE(map.find("a", &when), nullptr) << "ch11.cache_store: a was used recently: kept";
    detail::LruMap<int> again(2);
    again.put("a", 1, t0);
    again.put("b", 2, t0);
    again.put("a", 10, t0); // a replaced: now the most recent, b the least
    again.put("c", 3, t0);
    EXPECT_NE(again.find("a", &when), nullptr)
        << "ch11.cache_store: a replaced key leaves no stale place behind: a is kept";
    EXPECT_EQ(again.find("b", &when), nullptr) << "ch11.cache_store: b is the one evicted";
    map.put("c", 30, t0 + 3s);
    const int* c = map.find("c", &when);
    ASSERT_NE(c, nullptr) << "ch11.cache_store: c is there";
    EXPECT_EQ(*c, 30) << "ch11.cache_store: a second put replaces the value";
    EXPECT_EQ(when, t0 + 3s) << "ch11.cache_store: and the time";
    EXPECT_EQ(map.size(), 2u) << "ch11.cache_store: a replace adds no entry";
}
