// Graded tests, the router and the server (http_router.cpp, http_server.cpp),
// on 127.0.0.1 with ephemeral ports.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "http_test_helpers.hpp"
#include "timing.hpp"

using aio::Coro;
using aio::EventLoop;
using aio::http::Application;
using aio::http::Request;
using aio::http::Response;
using namespace looplab;

namespace {

Coro<Response> hello(Request) {
    co_return aio::http::text_response("hello");
}

Coro<Response> user(Request r) {
    co_return aio::http::text_response("user " + r.match_info.at("id") + " of " +
                                       r.match_info.at("team"));
}

Coro<Response> boom(Request) {
    throw std::runtime_error("secret detail");
    co_return Response{};
}

Coro<Response> teapot(Request) {
    throw aio::http::HttpError(418, "short and stout");
    co_return Response{};
}

Coro<Response> echo(Request r) {
    co_return aio::http::text_response(r.method + " " + r.body);
}

Application test_app() {
    Application app;
    app.add_get("/", hello);
    app.add_get("/teams/{team}/users/{id}", user);
    app.add_post("/echo", echo);
    app.add_route("PUT", "/echo", echo);
    app.add_get("/boom", boom);
    app.add_get("/teapot", teapot);
    return app;
}

Coro<Response> handle(Application app, std::string method, std::string target) {
    Request r;
    r.method = method;
    r.target = target;
    co_return co_await app.handle(r);
}

// Starts the test app, sends bytes, returns what came back.
Coro<std::string> exchange(std::string bytes, aio::http::ServerOptions options = {},
                           aio::Duration wait = 5s) {
    aio::Server server = co_await aio::http::serve(test_app(), "127.0.0.1", 0, options);
    std::string got = co_await raw_exchange(server.port(), bytes, wait);
    server.close();
    co_await aio::timeout(5s, server.wait_closed()); // its connections end too
    co_return got;
}

} // namespace

TEST(Router, MatchesSegmentsAndParameters) {
    namespace detail = aio::http::detail;
    std::map<std::string, std::string> params;
    auto pattern = detail::split_path("/teams/{team}/users/{id}");
    EXPECT_TRUE(detail::match_route(pattern, detail::split_path("/teams/red/users/42"), params))
        << "ch11.match: the path fits the pattern";
    EXPECT_EQ(params["team"] + "/" + params["id"], "red/42") << "ch11.match: the parameters";
    std::map<std::string, std::string> none;
    EXPECT_FALSE(detail::match_route(pattern, detail::split_path("/teams/red/users"), none))
        << "ch11.match: fewer segments: no match";
    EXPECT_FALSE(detail::match_route(pattern, detail::split_path("/teams//users/1"), none))
        << "ch11.match: a {name} does not take an empty segment";
    EXPECT_FALSE(detail::match_route(pattern, detail::split_path("/team/red/users/1"), none))
        << "ch11.match: a plain segment must be equal";
    EXPECT_TRUE(none.empty()) << "ch11.match: a failed match leaves no parameters behind";
}

TEST(Router, MatchesParametersAndAnswers404) {
    EventLoop loop;
    Response r = run_bounded(loop, handle(test_app(), "GET", "/teams/red/users/42?x=1"));
    EXPECT_EQ(r.body, "user 42 of red") << "ch11.match: {team} and {id} go to match_info";
    EXPECT_EQ(run_bounded(loop, handle(test_app(), "GET", "/teams/red/users")).status, 404)
        << "ch11.match: a path with fewer segments does not match";
    EXPECT_EQ(run_bounded(loop, handle(test_app(), "GET", "/teams//users/1")).status, 404)
        << "ch11.match: a {name} does not match an empty segment";
    EXPECT_EQ(run_bounded(loop, handle(test_app(), "GET", "/nowhere")).status, 404)
        << "ch11.route: no route is 404";
    EXPECT_EQ(run_bounded(loop, handle(test_app(), "GET", "/")).body, "hello")
        << "ch11.match: the root path";
}

TEST(Router, OtherMethodsAre405WithAllowAndHeadRunsGet) {
    EventLoop loop;
    Response r = run_bounded(loop, handle(test_app(), "DELETE", "/echo"));
    EXPECT_EQ(r.status, 405) << "ch11.route: a routed path with another method is 405";
    EXPECT_EQ(r.headers.get("Allow"), "POST, PUT") << "ch11.route: Allow lists the methods";
    Response g = run_bounded(loop, handle(test_app(), "POST", "/"));
    EXPECT_EQ(g.headers.get("Allow"), "GET, HEAD") << "ch11.route: HEAD is listed with GET";
    EXPECT_EQ(run_bounded(loop, handle(test_app(), "HEAD", "/")).body, "hello")
        << "ch11.route: HEAD runs the GET handler (the server drops the body)";
}

TEST(Router, HandlerErrorsBecomeAnswers) {
    EventLoop loop;
    RecordedReports reports(loop);
    Response r = run_bounded(loop, handle(test_app(), "GET", "/boom"));
    EXPECT_EQ(r.status, 500) << "ch11.route: an exception in a handler is 500";
    EXPECT_EQ(r.body.find("secret"), std::string::npos)
        << "ch11.route: the 500 never shows the exception's text";
    EXPECT_EQ(reports.errors.size(), 1u)
        << "ch11.route: the exception goes to the loop's exception handler, once";
    Response t = run_bounded(loop, handle(test_app(), "GET", "/teapot"));
    EXPECT_EQ(t.status, 418) << "ch11.route: a handler's HttpError answers its status";
    EXPECT_EQ(reports.errors.size(), 1u) << "ch11.route: an HttpError is not reported";
}

TEST(Server, AnswersWithDateServerAndContentLength) {
    EventLoop loop;
    std::string raw =
        run_bounded(loop, exchange("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    auto got = responses_in(raw);
    ASSERT_EQ(got.size(), 1u) << "ch11.serve_connection: one answer: " << raw;
    EXPECT_EQ(raw.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << "ch11.serve_connection: HTTP/1.1 200";
    EXPECT_TRUE(got[0].headers.contains("Date")) << "ch11.serve_connection: Date";
    EXPECT_TRUE(got[0].headers.contains("Server")) << "ch11.serve_connection: Server";
    EXPECT_EQ(got[0].headers.get("Content-Length"), "5") << "ch11.serve_connection: Content-Length";
    EXPECT_EQ(got[0].body, "hello") << "ch11.serve_connection: the handler's body";
    EXPECT_EQ(raw.find("<still open>"), std::string::npos)
        << "ch11.serve_connection: Connection: close closes after the answer";
}

TEST(Server, KeepAliveAnswersPipelinedRequestsInOrder) {
    EventLoop loop;
    std::string raw = run_bounded(
        loop, exchange("GET / HTTP/1.1\r\n\r\nPOST /echo HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
                       "HEAD / HTTP/1.1\r\n\r\nGET /teams/a/users/b HTTP/1.1\r\n\r\n",
                       {}, 1s));
    auto got = responses_in(raw, {"GET", "POST", "HEAD", "GET"});
    ASSERT_EQ(got.size(), 4u) << "ch11.serve_connection: four answers on one connection: " << raw;
    EXPECT_EQ(got[0].body + "|" + got[1].body + "|" + got[3].body, "hello|POST abc|user b of a")
        << "ch11.serve_connection: answers in the order of the requests";
    EXPECT_EQ(got[2].headers.get("Content-Length"), "5")
        << "ch11.serve_connection: HEAD gets GET's headers";
    EXPECT_NE(raw.find("<still open>"), std::string::npos)
        << "ch11.serve_connection: HTTP/1.1 keeps the connection open";
}

TEST(Server, Http10ClosesUnlessAskedToKeepAlive) {
    EventLoop loop;
    std::string closed = run_bounded(loop, exchange("GET / HTTP/1.0\r\n\r\n", {}, 2s));
    EXPECT_EQ(responses_in(closed).size(), 1u) << "ch11.serve_connection: 1.0 is answered";
    EXPECT_EQ(closed.find("<still open>"), std::string::npos)
        << "ch11.serve_connection: HTTP/1.0 without keep-alive closes after the answer";
    std::string kept =
        run_bounded(loop, exchange("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", {}, 1s));
    auto got = responses_in(kept);
    ASSERT_EQ(got.size(), 1u) << "ch11.serve_connection: 1.0 keep-alive is answered";
    EXPECT_EQ(got[0].headers.get("Connection"), "keep-alive")
        << "ch11.serve_connection: a 1.0 keep-alive answer says keep-alive";
    EXPECT_NE(kept.find("<still open>"), std::string::npos)
        << "ch11.serve_connection: and the connection stays open";
}

TEST(Server, MalformedRequestsGetTheirStatusAndAClose) {
    EventLoop loop;
    struct Case {
        std::string bytes;
        int status;
    };
    std::vector<Case> cases = {
        {"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400},
        {"GET / HTTP/2.0\r\n\r\n", 505},
        {"POST /echo HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
        {"GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n", 414},
        {"GET / HTTP/1.1\r\nX: " + std::string(9000, 'b') + "\r\n\r\n", 431},
        {"POST /echo HTTP/1.1\r\nContent-Length: 99999999\r\nExpect: 100-continue\r\n\r\n", 413},
    };
    for (const Case& c : cases) {
        std::string raw = run_bounded(loop, exchange(c.bytes));
        auto got = responses_in(raw);
        ASSERT_EQ(got.size(), 1u) << "ch11.serve_connection: one answer to a bad request: " << raw;
        EXPECT_EQ(got[0].status, c.status) << "ch11.serve_connection: the parser's status";
        EXPECT_EQ(got[0].headers.get("Connection"), "close")
            << "ch11.serve_connection: an error answer says Connection: close";
        EXPECT_EQ(raw.find("100 Continue"), std::string::npos)
            << "ch11.read_request: no 100 Continue for a body refused at the headers";
        EXPECT_EQ(raw.find("<still open>"), std::string::npos)
            << "ch11.serve_connection: the server closes after an error answer";
    }
}

// h11's order: the requests completed before the bad bytes are answered, then the error.
TEST(Server, PipelinedRequestsBeforeAMalformedOneAreAnsweredFirst) {
    EventLoop loop;
    std::string raw = run_bounded(
        loop, exchange("GET / HTTP/1.1\r\n\r\nPOST /echo HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
                       "GET / HTTP/2.0\r\n\r\n"));
    auto got = responses_in(raw, {"GET", "POST", "GET"});
    ASSERT_EQ(got.size(), 3u)
        << "ch11.serve_connection: two requests completed before the bad bytes get their "
           "answers, then the error gets its own: "
        << raw;
    EXPECT_EQ(got[0].body + "|" + got[1].body, "hello|POST abc")
        << "ch11.serve_connection: the good requests are answered first, in order";
    EXPECT_EQ(got[2].status, 505) << "ch11.serve_connection: then the bad one's status";
    EXPECT_EQ(got[2].headers.get("Connection"), "close")
        << "ch11.serve_connection: the error answer says Connection: close";
    EXPECT_EQ(raw.find("<still open>"), std::string::npos)
        << "ch11.serve_connection: and the server closes after it";
    std::string closing = run_bounded(
        loop, exchange("GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET / HTTP/2.0\r\n\r\n"));
    auto one = responses_in(closing);
    ASSERT_EQ(one.size(), 1u)
        << "ch11.serve_connection: a request that asked to close is the last one answered: "
        << closing;
    EXPECT_EQ(one[0].status, 200) << "ch11.serve_connection: its answer, not the error's";
}

namespace {
Coro<std::string> continue_exchange(std::uint16_t port) {
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port);
    writer.write("POST /echo HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    std::string interim = co_await reader.readuntil("\r\n\r\n");
    writer.write("body");
    std::string rest = co_await aio::timeout(5s, reader.readuntil("POST body"));
    writer.close();
    co_return interim + rest;
}

Coro<std::string> continue_test() {
    aio::Server server = co_await aio::http::serve(test_app());
    std::string got = co_await continue_exchange(server.port());
    server.close();
    co_await aio::timeout(5s, server.wait_closed());
    co_return got;
}
} // namespace

TEST(Server, ExpectContinueGets100BeforeTheBody) {
    EventLoop loop;
    std::string got = run_bounded(loop, continue_test());
    EXPECT_EQ(got.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0), 0u)
        << "ch11.read_request: 100 Continue is sent before the body is read";
    EXPECT_NE(got.find("HTTP/1.1 200 OK"), std::string::npos)
        << "ch11.read_request: then the final answer";
}

TEST(Server, AHeaderTimeoutClosesASlowClientWithoutAnAnswer) {
    EventLoop loop;
    aio::http::ServerOptions options;
    options.header_timeout = 200ms;
    looplab::Stopwatch watch;
    std::string raw = run_bounded(loop, exchange("GET / HTTP/1.1\r\nHost: sl", options, 3s));
    double waited = watch.seconds();
    EXPECT_EQ(raw, "") << "ch11.read_request: a head not complete in time: closed, no answer";
    EXPECT_GE(waited, 0.15) << "ch11.read_request: closed when header_timeout ran out, not before";
    EXPECT_LT(waited, 2.0) << "ch11.read_request: closed by the header timeout (0.2 s)";
}

TEST(Server, AnIdleKeepAliveConnectionIsClosed) {
    EventLoop loop;
    aio::http::ServerOptions options;
    options.keepalive_timeout = 200ms;
    aio::http::ServerOptions patient; // 75 s: still open when the client gives up
    std::string raw = run_bounded(loop, exchange("GET / HTTP/1.1\r\n\r\n", options, 3s));
    EXPECT_EQ(responses_in(raw).size(), 1u) << "ch11.serve_connection: the request is answered";
    EXPECT_EQ(raw.find("<still open>"), std::string::npos)
        << "ch11.read_request: then the idle connection is closed after keepalive_timeout";
    std::string open = run_bounded(loop, exchange("GET / HTTP/1.1\r\n\r\n", patient, 500ms));
    EXPECT_NE(open.find("<still open>"), std::string::npos)
        << "ch11.read_request: with the default timeout it is still open after 0.5 s";
}
