// Graded tests, the source articles' web API (user_api.cpp) and the local
// httpbin, end to end through the chapter's server and client.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "http_test_helpers.hpp"

using aio::Coro;
using aio::EventLoop;
using aio::http::Application;
using aio::http::ClientSession;
using aio::http::Request;
using aio::http::Response;
using aio::json::Value;
using namespace looplab;

namespace {

// A backend with users 1..9; user 13 fails with 500; orders of user 2 fail;
// every call counted, each taking 50 ms.
struct BackendCalls {
    int users = 0, orders = 0, preferences = 0;
};

Application backend_app(std::shared_ptr<BackendCalls> calls) {
    Application app;
    app.add_get("/users/{id}", [calls](Request r) -> Coro<Response> {
        ++calls->users;
        co_await aio::sleep(50ms);
        std::string id = r.match_info.at("id");
        if (id == "13") co_return aio::http::text_response("boom", 500);
        co_return aio::http::json_response(
            Value::object({{"id", std::stoi(id)}, {"name", "user" + id}}));
    });
    app.add_get("/users/{id}/orders", [calls](Request r) -> Coro<Response> {
        ++calls->orders;
        co_await aio::sleep(50ms);
        if (r.match_info.at("id") == "2") co_return aio::http::text_response("no", 503);
        co_return aio::http::json_response(Value::array({Value::object({{"order", 1}})}));
    });
    app.add_get("/users/{id}/preferences", [calls](Request) -> Coro<Response> {
        ++calls->preferences;
        co_await aio::sleep(50ms);
        co_return aio::http::json_response(Value::object({{"theme", "dark"}}));
    });
    return app;
}

struct ApiRun {
    std::vector<Response> responses;
    BackendCalls calls;
};

Coro<ApiRun> call_api(std::vector<std::string> paths, bool concurrently) {
    auto calls = std::make_shared<BackendCalls>();
    aio::Server backend = co_await aio::http::serve(backend_app(calls));
    ClientSession session;
    std::string base = "http://127.0.0.1:" + std::to_string(backend.port());
    aio::Server api = co_await aio::http::serve(aio::http::user_api(session, base, 10s));
    std::string api_base = "http://127.0.0.1:" + std::to_string(api.port());
    ClientSession client;
    ApiRun run;
    if (concurrently) {
        std::vector<aio::Task<Response>> tasks;
        for (const std::string& p : paths)
            tasks.push_back(aio::create_task(client.get(api_base + p)));
        for (auto& t : tasks)
            run.responses.push_back(co_await t);
    } else {
        for (const std::string& p : paths)
            run.responses.push_back(co_await client.get(api_base + p));
    }
    run.calls = *calls;
    co_await client.close();
    co_await session.close();
    api.close();
    backend.close();
    co_await aio::timeout(5s, api.wait_closed());
    co_await aio::timeout(5s, backend.wait_closed());
    co_return run;
}

} // namespace

TEST(UserApi, GathersUserOrdersAndPreferences) {
    EventLoop loop;
    ApiRun run = run_bounded(loop, call_api({"/user/1", "/user/2"}, false));
    ASSERT_EQ(run.responses.size(), 2u);
    Value one = run.responses[0].json();
    EXPECT_EQ(one["user"]["name"].as_string(), "user1") << "ch11.user_api: the user";
    EXPECT_EQ(one["orders"].size(), 1u) << "ch11.user_api: the orders";
    EXPECT_EQ(one["preferences"]["theme"].as_string(), "dark") << "ch11.user_api: the preferences";
    Value two = run.responses[1].json();
    EXPECT_EQ(run.responses[1].status, 200) << "ch11.user_api: a failed orders call is not fatal";
    EXPECT_TRUE(two["orders"].is_array() && two["orders"].size() == 0)
        << "ch11.user_api: failed orders become []";
}

TEST(UserApi, AFailedUserIs502AndABadIdIs400) {
    EventLoop loop;
    ApiRun run = run_bounded(loop, call_api({"/user/13", "/user/abc"}, false));
    ASSERT_EQ(run.responses.size(), 2u);
    EXPECT_EQ(run.responses[0].status, 502) << "ch11.user_api: the user call failing is 502";
    EXPECT_TRUE(run.responses[0].json().contains("error")) << "ch11.user_api: with a JSON error";
    EXPECT_EQ(run.responses[1].status, 400) << "ch11.user_api: a non-integer id is 400";
    EXPECT_TRUE(run.responses[1].json().contains("error")) << "ch11.user_api: with a JSON error";
}

TEST(UserApi, TenConcurrentRequestsForOneUserMakeOneBackendCallEach) {
    EventLoop loop;
    std::vector<std::string> same(10, "/user/5");
    ApiRun run = run_bounded(loop, call_api(same, true));
    for (const Response& r : run.responses)
        EXPECT_EQ(r.status, 200) << "ch11.user_api: every concurrent request answered";
    EXPECT_EQ(run.calls.users, 1) << "ch11.single_flight: ten concurrent misses, one user call";
    EXPECT_EQ(run.calls.orders, 1) << "ch11.single_flight: one orders call";
    EXPECT_EQ(run.calls.preferences, 1) << "ch11.single_flight: one preferences call";
}

namespace {
Coro<std::vector<std::string>> httpbin_tour() {
    aio::Server server = co_await aio::http::serve(aio::http::httpbin());
    std::string base = "http://127.0.0.1:" + std::to_string(server.port());
    ClientSession session;
    std::vector<std::string> out;
    Response a = co_await session.post(base + "/anything/x?q=a+b", "{\"k\": 1}");
    out.push_back(a.json()["method"].as_string() + " " + a.json()["args"]["q"].as_string() + " " +
                  std::to_string(a.json()["json"]["k"].as_int()));
    Response s = co_await session.get(base + "/status/418");
    out.push_back(std::to_string(s.status));
    Response r = co_await session.get(base + "/redirect/3");
    out.push_back(std::to_string(r.history.size()) + " " + r.url.substr(r.url.rfind('/')));
    Response st = co_await session.get(base + "/stream/5");
    out.push_back(std::to_string(std::count(st.body.begin(), st.body.end(), '\n')));
    Response b = co_await session.get(base + "/bytes/1000");
    out.push_back(std::to_string(b.body.size()));
    Response j = co_await session.get(base + "/json");
    out.push_back(j.json()["slideshow"]["title"].as_string());
    aio::http::Headers mine{{"X-Test", "yes"}};
    Response h = co_await session.get(base + "/headers", mine);
    out.push_back(h.json()["headers"]["X-Test"].as_string());
    Response d = co_await session.get(base + "/delay/0.05");
    out.push_back(std::to_string(d.status));
    co_await session.close();
    server.close();
    co_await aio::timeout(5s, server.wait_closed());
    co_return out;
}
} // namespace

TEST(Httpbin, EveryEndpointAnswersThroughTheClient) {
    EventLoop loop;
    auto got = run_bounded(loop, httpbin_tour());
    ASSERT_EQ(got.size(), 8u);
    EXPECT_EQ(got[0], "POST a b 1") << "ch11.exchange: /anything echoes method, query and JSON";
    EXPECT_EQ(got[1], "418") << "ch11.exchange: /status/418";
    EXPECT_EQ(got[2], "3 /get") << "ch11.redirects: /redirect/3 ends at /get after 3 redirects";
    EXPECT_EQ(got[3], "5") << "ch11.exchange: /stream/5 is five chunked JSON lines";
    EXPECT_EQ(got[4], "1000") << "ch11.exchange: /bytes/1000";
    EXPECT_EQ(got[5], "Sample Slide Show") << "ch11.exchange: /json";
    EXPECT_EQ(got[6], "yes") << "ch11.exchange: /headers echoes the request's headers";
    EXPECT_EQ(got[7], "200") << "ch11.exchange: /delay/0.05";
}
