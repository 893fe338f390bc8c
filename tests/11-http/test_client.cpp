// Graded tests, the client session (http_client.cpp, http_pool.cpp) against
// the chapter's server and hand-written raw servers on 127.0.0.1.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "http_test_helpers.hpp"

using aio::Coro;
using aio::EventLoop;
using aio::http::Application;
using aio::http::ClientOptions;
using aio::http::ClientSession;
using aio::http::Request;
using aio::http::Response;
using namespace looplab;

namespace {

// Requests in flight at the server, now and at the peak.
struct Gauge {
    int now = 0, peak = 0;
};

Application client_test_app(std::shared_ptr<Gauge> gauge) {
    Application app;
    app.add_get("/hello",
                [](Request) -> Coro<Response> { co_return aio::http::text_response("hello"); });
    app.add_post("/echo", [](Request r) -> Coro<Response> {
        co_return aio::http::text_response(r.method + ":" + r.body);
    });
    app.add_get("/echo", [](Request r) -> Coro<Response> {
        co_return aio::http::text_response(r.method + ":" + r.body);
    });
    app.add_get("/slow", [gauge](Request) -> Coro<Response> {
        gauge->peak = std::max(gauge->peak, ++gauge->now);
        co_await aio::sleep(100ms);
        --gauge->now;
        co_return aio::http::text_response("slow");
    });
    app.add_get("/close", [](Request) -> Coro<Response> {
        Response r = aio::http::text_response("bye");
        r.headers.set("Connection", "close");
        co_return r;
    });
    app.add_get("/chunked", [](Request) -> Coro<Response> {
        Response r = aio::http::text_response("");
        r.headers.set("Transfer-Encoding", "chunked");
        r.body = "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n";
        co_return r;
    });
    app.add_get("/big", [](Request) -> Coro<Response> {
        co_return aio::http::text_response(std::string(5000, 'x'));
    });
    for (int code : {301, 302, 303, 307, 308})
        app.add_route("*", "/r" + std::to_string(code), [code](Request) -> Coro<Response> {
            Response r = aio::http::text_response("moved", code);
            r.headers.set("Location", code == 302 ? "echo" : "/echo");
            co_return r;
        });
    app.add_get("/loop", [](Request) -> Coro<Response> {
        Response r = aio::http::text_response("again", 302);
        r.headers.set("Location", "/loop");
        co_return r;
    });
    return app;
}

struct Served {
    aio::Server server;
    std::string base;
};

Coro<Served> start(std::shared_ptr<Gauge> gauge) {
    aio::Server server = co_await aio::http::serve(client_test_app(gauge));
    co_return Served{server, "http://127.0.0.1:" + std::to_string(server.port())};
}

Coro<void> stop(aio::Server server, ClientSession session) {
    co_await session.close();
    server.close();
    co_await aio::timeout(5s, server.wait_closed());
}

} // namespace

namespace {
Coro<std::vector<std::string>> get_and_post() {
    auto gauge = std::make_shared<Gauge>();
    Served s = co_await start(gauge);
    ClientSession session;
    std::vector<std::string> out;
    Response a = co_await session.get(s.base + "/hello");
    out.push_back(std::to_string(a.status) + " " + a.text());
    Response b = co_await session.post(s.base + "/echo", "payload");
    out.push_back(b.text());
    Response c = co_await session.get(s.base + "/big");
    out.push_back(std::to_string(c.body.size()));
    Response d = co_await session.get(s.base + "/nothing");
    out.push_back(std::to_string(d.status) + (d.ok() ? " ok" : " not ok"));
    out.push_back(std::to_string(session.connections_opened()));
    out.push_back(std::to_string(session.idle_connections()));
    co_await stop(s.server, session);
    co_return out;
}
} // namespace

TEST(Client, GetsAndPostsOnOneKeptAliveConnection) {
    EventLoop loop;
    auto got = run_bounded(loop, get_and_post());
    ASSERT_EQ(got.size(), 6u);
    EXPECT_EQ(got[0], "200 hello") << "ch11.exchange: a GET and its response";
    EXPECT_EQ(got[1], "POST:payload") << "ch11.exchange: a POST sends its body";
    EXPECT_EQ(got[2], "5000") << "ch11.exchange: a larger body arrives whole";
    EXPECT_EQ(got[3], "404 not ok") << "ch11.exchange: a 404 is a response, not an error";
    EXPECT_EQ(got[4], "1") << "ch11.send_once: four requests, one connection (keep-alive)";
    EXPECT_EQ(got[5], "1") << "ch11.send_once: the connection is back in the pool, idle";
}

namespace {
Coro<std::vector<std::string>> framing_cases() {
    auto gauge = std::make_shared<Gauge>();
    Served s = co_await start(gauge);
    ClientSession session;
    std::vector<std::string> out;
    Response a = co_await session.get(s.base + "/chunked");
    out.push_back(a.text());
    Response b = co_await session.get(s.base + "/close");
    out.push_back(b.text());
    Response c = co_await session.get(s.base + "/hello");
    out.push_back(c.text());
    Response d = co_await session.request("HEAD", s.base + "/hello");
    out.push_back(d.headers.get("Content-Length").value_or("?") + "[" + d.body + "]");
    Response e = co_await session.get(s.base + "/hello");
    out.push_back(e.text());
    out.push_back(std::to_string(session.connections_opened()));
    co_await stop(s.server, session);
    co_return out;
}
} // namespace

TEST(Client, ChunkedBodiesAndConnectionCloseAndHead) {
    EventLoop loop;
    auto got = run_bounded(loop, framing_cases());
    ASSERT_EQ(got.size(), 6u);
    EXPECT_EQ(got[0], "abcdefg") << "ch11.exchange: a chunked body is decoded";
    EXPECT_EQ(got[1], "bye") << "ch11.exchange: a Connection: close answer is read";
    EXPECT_EQ(got[2], "hello") << "ch11.send_once: after a close, a new connection";
    EXPECT_EQ(got[3], "5[]") << "ch11.exchange: HEAD: the headers, no body";
    EXPECT_EQ(got[4], "hello") << "ch11.send_once: the connection after HEAD is still usable";
    EXPECT_EQ(got[5], "2") << "ch11.send_once: only the closed connection was replaced";
}

namespace {
// A raw server that answers with an EOF-delimited body (no length, then close).
Coro<void> until_eof_handler(aio::StreamReader reader, aio::StreamWriter writer) {
    co_await reader.readuntil("\r\n\r\n");
    writer.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of this until EOF");
    writer.close();
}

Coro<std::string> until_eof_case() {
    aio::Server server = co_await aio::start_server(until_eof_handler);
    ClientSession session;
    std::string base = "http://127.0.0.1:" + std::to_string(server.port());
    Response a = co_await session.get(base + "/");
    Response b = co_await session.get(base + "/");
    std::string out =
        a.text() + "|" + b.text() + "|" + std::to_string(session.connections_opened());
    co_await stop(server, session);
    co_return out;
}
} // namespace

TEST(Client, AnEofDelimitedBodyIsReadToTheEndAndNotReused) {
    EventLoop loop;
    EXPECT_EQ(run_bounded(loop, until_eof_case()), "all of this until EOF|all of this until EOF|2")
        << "ch11.send_once: a body without a length ends at EOF; its connection is not reused";
}

namespace {
Coro<std::vector<std::string>> redirect_cases() {
    auto gauge = std::make_shared<Gauge>();
    Served s = co_await start(gauge);
    ClientSession session;
    std::vector<std::string> out;
    for (int code : {301, 302, 303, 307, 308}) {
        Response r = co_await session.post(s.base + "/r" + std::to_string(code), "data");
        out.push_back(std::to_string(code) + "->" + r.text() + " " +
                      std::to_string(r.history.size()));
    }
    Response r = co_await session.get(s.base + "/r301");
    out.push_back(r.url == s.base + "/echo" ? "url ok" : "url " + r.url);
    out.push_back(!r.history.empty() && r.history[0] == s.base + "/r301" ? "history ok"
                                                                         : "history bad");
    try {
        co_await session.get(s.base + "/loop");
        out.push_back("no error");
    } catch (const aio::http::TooManyRedirects&) {
        out.push_back("TooManyRedirects");
    }
    co_await stop(s.server, session);
    co_return out;
}
} // namespace

TEST(Client, FollowsRedirectsKeepsHistoryAndStopsAtTheLimit) {
    EventLoop loop;
    auto got = run_bounded(loop, redirect_cases());
    ASSERT_EQ(got.size(), 8u);
    EXPECT_EQ(got[0], "301->GET: 1") << "ch11.redirects: 301 after POST becomes GET";
    EXPECT_EQ(got[1], "302->GET: 1")
        << "ch11.redirects: 302 after POST becomes GET, relative Location";
    EXPECT_EQ(got[2], "303->GET: 1") << "ch11.redirects: 303 becomes GET without a body";
    EXPECT_EQ(got[3], "307->POST:data 1") << "ch11.redirects: 307 keeps the method and body";
    EXPECT_EQ(got[4], "308->POST:data 1") << "ch11.redirects: 308 keeps the method and body";
    EXPECT_EQ(got[5], "url ok") << "ch11.redirects: url is the final URL";
    EXPECT_EQ(got[6], "history ok") << "ch11.redirects: history holds the absolute URLs left";
    EXPECT_EQ(got[7], "TooManyRedirects") << "ch11.redirects: a loop ends in TooManyRedirects";
}

namespace {
Coro<std::vector<int>> limited(ClientOptions options, int requests) {
    auto gauge = std::make_shared<Gauge>();
    Served s = co_await start(gauge);
    ClientSession session(options);
    std::vector<aio::Task<Response>> tasks;
    for (int i = 0; i < requests; ++i)
        tasks.push_back(aio::create_task(session.get(s.base + "/slow")));
    int ok = 0;
    for (auto& t : tasks)
        ok += (co_await t).status == 200;
    std::vector<int> out{ok, gauge->peak, static_cast<int>(session.connections_opened())};
    co_await stop(s.server, session);
    co_return out;
}
} // namespace

TEST(Client, LimitsHoldTheConnectionsInUse) {
    EventLoop loop;
    ClientOptions per_host;
    per_host.limit_per_host = 2;
    auto a = run_bounded(loop, limited(per_host, 6));
    EXPECT_EQ(a[0], 6) << "ch11.acquire: every request answered";
    EXPECT_EQ(a[1], 2) << "ch11.acquire: limit_per_host 2: at most 2 requests at the server";
    EXPECT_EQ(a[2], 2) << "ch11.free_slot: the waiters reuse the two connections";
    ClientOptions total;
    total.limit = 3;
    auto b = run_bounded(loop, limited(total, 9));
    EXPECT_EQ(b[0], 9) << "ch11.acquire: every request answered";
    EXPECT_EQ(b[1], 3) << "ch11.acquire: limit 3: at most 3 requests at the server";
    auto c = run_bounded(loop, limited(ClientOptions{}, 8));
    EXPECT_EQ(c[1], 8) << "ch11.acquire: without a limit all 8 run at once";
}

namespace {
// Answers the first request on each connection, then takes the next request
// and closes without answering: a keep-alive connection the server dropped.
Coro<void> one_answer_handler(aio::StreamReader reader, aio::StreamWriter writer) {
    co_await reader.readuntil("\r\n\r\n");
    writer.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    co_await reader.readuntil("\r\n\r\n");
    writer.close();
}

Coro<std::vector<std::string>> stale_cases() {
    aio::Server server = co_await aio::start_server(one_answer_handler);
    ClientSession session;
    std::string base = "http://127.0.0.1:" + std::to_string(server.port());
    std::vector<std::string> out;
    out.push_back((co_await session.get(base + "/a")).text());
    out.push_back((co_await session.get(base + "/b")).text());
    out.push_back(std::to_string(session.connections_opened()));
    try {
        co_await session.post(base + "/c", "x");
        out.push_back("answered");
    } catch (const aio::ConnectionError&) {
        out.push_back("ConnectionError");
    }
    co_await stop(server, session);
    co_return out;
}
} // namespace

TEST(Client, RetriesOnceWhenAPooledConnectionWasClosed) {
    EventLoop loop;
    auto got = run_bounded(loop, stale_cases());
    ASSERT_EQ(got.size(), 4u);
    EXPECT_EQ(got[0], "ok") << "ch11.exchange: the first request is answered";
    EXPECT_EQ(got[1], "ok")
        << "ch11.send_once: a pooled connection closed without an answer: retried on a new one";
    EXPECT_EQ(got[2], "2") << "ch11.send_once: the retry opened a second connection";
    EXPECT_EQ(got[3], "ConnectionError") << "ch11.send_once: a POST is not retried";
}

namespace {
// Reads requests and never answers.
Coro<void> silent_handler(aio::StreamReader reader, aio::StreamWriter writer) {
    for (;;) {
        std::string got = co_await reader.read(65536);
        if (got.empty()) break;
    }
    writer.close();
}

Coro<std::string> timeout_message(ClientOptions options, std::string path, int parallel) {
    auto gauge = std::make_shared<Gauge>();
    Served s = co_await start(gauge);
    aio::Server silent = co_await aio::start_server(silent_handler);
    ClientSession session(options);
    std::string url = path == "silent" ? "http://127.0.0.1:" + std::to_string(silent.port()) + "/"
                                       : s.base + path;
    std::vector<aio::Task<Response>> tasks;
    for (int i = 0; i < parallel; ++i)
        tasks.push_back(aio::create_task(session.get(url)));
    std::string message = "no timeout";
    for (auto& t : tasks) {
        try {
            co_await t;
        } catch (const aio::TimeoutError& e) {
            message = e.what();
        }
    }
    co_await session.close();
    silent.close();
    co_await stop(s.server, session);
    co_return message;
}
} // namespace

TEST(Client, TimeoutsSayWhichOneRanOut) {
    EventLoop loop;
    ClientOptions read;
    read.timeout.sock_read = 100ms;
    EXPECT_NE(run_bounded(loop, timeout_message(read, "silent", 1)).find("sock_read"),
              std::string::npos)
        << "ch11.exchange: a server that never answers: TimeoutError naming sock_read";
    ClientOptions total;
    total.timeout.total = 50ms;
    EXPECT_NE(run_bounded(loop, timeout_message(total, "/slow", 1)).find("total"),
              std::string::npos)
        << "ch11.send_once: a 100 ms answer with total 50 ms: TimeoutError naming total";
    ClientOptions connect;
    connect.limit = 1;
    connect.timeout.connect = 30ms;
    EXPECT_NE(run_bounded(loop, timeout_message(connect, "/slow", 2)).find("connect"),
              std::string::npos)
        << "ch11.acquire: waiting for a slot longer than connect: TimeoutError naming connect";
}

namespace {
Coro<std::string> refused_and_bad_urls() {
    std::string out;
    ClientSession session;
    try {
        co_await session.get("https://127.0.0.1/");
    } catch (const aio::ValueError&) {
        out += "https:ValueError ";
    }
    aio::Server server = co_await aio::start_server(silent_handler);
    std::uint16_t port = server.port();
    server.close();
    co_await server.wait_closed();
    try {
        co_await session.get("http://127.0.0.1:" + std::to_string(port) + "/");
    } catch (const aio::ConnectionRefusedError&) {
        out += "refused ";
    }
    ClientOptions small;
    small.limits.max_body = 100;
    ClientSession tight(small);
    auto gauge = std::make_shared<Gauge>();
    Served s = co_await start(gauge);
    try {
        co_await tight.get(s.base + "/big");
    } catch (const aio::http::HttpError& e) {
        out += std::to_string(e.status);
    }
    co_await session.close();
    co_await stop(s.server, tight);
    co_return out;
}
} // namespace

TEST(Client, RefusedConnectsBadUrlsAndBigBodies) {
    EventLoop loop;
    EXPECT_EQ(run_bounded(loop, refused_and_bad_urls()), "https:ValueError refused 413")
        << "ch11.send_once: https is a ValueError, a refused connect ConnectionRefusedError, a "
           "body over max_body HttpError 413";
}
