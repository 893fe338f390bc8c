// Graded timing tests, real clock: the client against a /delay server that counts the requests it
// holds at once, one request after another vs all at once vs at most five at a time; and the user
// API answering a second time from its cache.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "http_test_helpers.hpp"
#include "timing.hpp"

using aio::Coro;
using aio::EventLoop;
using aio::http::ClientOptions;
using aio::http::ClientSession;
using aio::http::Response;
using namespace looplab;

namespace {

constexpr int REQUESTS = 50;

// Under a sanitizer every request costs milliseconds of CPU (-O0, in both the
// client and the server of this one process), which no concurrency hides: the
// ratios shrink (SAN=thread measured x8.7 for gathered, x1.7 for limit=5 over
// unlimited), so their bars are lower there. The peak at the server is
// asserted the same everywhere.
constexpr bool SANITIZED = looplab::sanitized;

// The /delay requests the server holds at once, and the most it held.
struct InFlight {
    int now = 0, peak = 0;
};

Coro<Response> counted_delay(std::shared_ptr<InFlight> in_flight, aio::http::Request request) {
    in_flight->peak = std::max(in_flight->peak, ++in_flight->now);
    co_await aio::sleep(std::chrono::duration_cast<aio::Duration>(
        std::chrono::duration<double>(std::stod(request.match_info.at("seconds")))));
    --in_flight->now;
    co_return aio::http::text_response("slept");
}

// Seconds for REQUESTS GETs of /delay/0.1; the number answered 200 in *ok,
// the most requests the server held at once in *peak.
Coro<double> delays(bool gathered, ClientOptions options, int* ok, int* peak = nullptr) {
    auto in_flight = std::make_shared<InFlight>();
    aio::http::Application app;
    app.add_get("/delay/{seconds}", [in_flight](aio::http::Request request) {
        return counted_delay(in_flight, std::move(request));
    });
    aio::Server server = co_await aio::http::serve(app);
    std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/delay/0.1";
    ClientSession session(options);
    Stopwatch watch;
    if (gathered) {
        std::vector<aio::Future<Response>> all;
        for (int i = 0; i < REQUESTS; ++i)
            all.push_back(aio::create_task(session.get(url)));
        for (const auto& r : co_await aio::gather(all))
            *ok += r.status == 200;
    } else {
        for (int i = 0; i < REQUESTS; ++i)
            *ok += (co_await session.get(url)).status == 200;
    }
    double seconds = watch.seconds();
    if (peak) *peak = in_flight->peak;
    co_await session.close();
    server.close();
    co_await aio::timeout(5s, server.wait_closed());
    co_return seconds;
}

} // namespace

TEST(Timing, FiftyDelaysOneAfterAnotherVersusGathered) {
    EventLoop loop;
    int ok_sequential = 0, ok_gathered = 0;
    double sequential = run_bounded(loop, delays(false, {}, &ok_sequential), 30s);
    double gathered = run_bounded(loop, delays(true, {}, &ok_gathered), 30s);
    report_timing("50 x /delay/0.1: one after another " + fixed(sequential) + " s · gathered " +
                  fixed(gathered) + " s · speedup x" + fixed(sequential / gathered, 1));
    EXPECT_EQ(ok_sequential, REQUESTS) << "ch11.exchange: every sequential request answered 200";
    EXPECT_EQ(ok_gathered, REQUESTS) << "ch11.acquire: every gathered request answered 200";
    EXPECT_GE(sequential / gathered, SANITIZED ? 4.0 : 10.0)
        << "ch11.acquire: 50 gathered requests must be at least 10x faster than one after "
           "another (ideal: 50x; 4x under a sanitizer)";
}

TEST(Timing, FiftyDelaysWithAtMostFiveConnections) {
    EventLoop loop;
    ClientOptions five;
    five.limit = 5;
    int ok_limited = 0, ok_free = 0;
    int peak = 0;
    double limited = run_bounded(loop, delays(true, five, &ok_limited, &peak), 30s);
    double unlimited = run_bounded(loop, delays(true, {}, &ok_free), 30s);
    double sequential = REQUESTS * 0.1; // the previous test measures it
    report_timing("50 x /delay/0.1 gathered: limit=5 " + fixed(limited) + " s · unlimited " +
                  fixed(unlimited) + " s · one after another about " + fixed(sequential) +
                  " s · peak at the server " + std::to_string(peak));
    EXPECT_LE(peak, 5) << "ch11.acquire: limit=5 holds at most 5 requests at the server at once";
    EXPECT_GE(peak, 2) << "ch11.free_slot: limit=5 still runs several requests at once";
    EXPECT_EQ(ok_limited + ok_free, 2 * REQUESTS) << "ch11.acquire: every request answered 200";
    EXPECT_GE(limited, 0.9) << "ch11.acquire: limit=5 lets 5 run at once: 10 rounds of 0.1 s";
    EXPECT_GE(limited / unlimited, SANITIZED ? 1.3 : 3.0)
        << "ch11.acquire: limit=5 must be well slower than unlimited (ideal: 10x; 1.3x under a "
           "sanitizer)";
    EXPECT_GE(sequential / limited, 2.5)
        << "ch11.free_slot: limit=5 must be well faster than one after another (ideal: 5x)";
}

namespace {
Coro<std::vector<double>> user_twice() {
    auto calls = std::make_shared<int>(0);
    aio::http::Application backend;
    backend.add_get("/users/{id}", [calls](aio::http::Request r) -> Coro<Response> {
        ++*calls;
        co_await aio::sleep(200ms);
        co_return aio::http::json_response(aio::json::Value::object({{"id", r.match_info["id"]}}));
    });
    for (std::string tail : {"/users/{id}/orders", "/users/{id}/preferences"})
        backend.add_get(tail, [calls](aio::http::Request) -> Coro<Response> {
            ++*calls;
            co_await aio::sleep(200ms);
            co_return aio::http::json_response(aio::json::Value::object());
        });
    aio::Server slow = co_await aio::http::serve(backend);
    ClientSession to_backend;
    aio::Server api = co_await aio::http::serve(
        aio::http::user_api(to_backend, "http://127.0.0.1:" + std::to_string(slow.port()), 60s));
    ClientSession client;
    std::string url = "http://127.0.0.1:" + std::to_string(api.port()) + "/user/7";
    std::vector<double> out;
    Stopwatch watch;
    co_await client.get(url);
    out.push_back(watch.seconds());
    out.push_back(*calls);
    watch.restart();
    Response second = co_await client.get(url);
    out.push_back(watch.seconds());
    out.push_back(*calls);
    out.push_back(second.status);
    co_await client.close();
    co_await to_backend.close();
    api.close();
    slow.close();
    co_await aio::timeout(5s, api.wait_closed());
    co_await aio::timeout(5s, slow.wait_closed());
    co_return out;
}
} // namespace

TEST(Timing, TheSecondUserRequestIsServedFromTheCache) {
    EventLoop loop;
    std::vector<double> got = run_bounded(loop, user_twice(), 20s);
    report_timing("GET /user/7 with a 0.2 s backend: first " + fixed(got[0] * 1000, 1) +
                  " ms (3 calls at once) · second " + fixed(got[2] * 1000, 1) +
                  " ms (cache) · speedup x" + fixed(got[0] / got[2], 1));
    EXPECT_EQ(got[1], 3) << "ch11.user_api: the first request makes three backend calls";
    EXPECT_EQ(got[3], 3) << "ch11.single_flight: the second request makes zero backend calls";
    EXPECT_EQ(got[4], 200) << "ch11.user_api: and is answered 200";
    EXPECT_LT(got[0], 0.5) << "ch11.user_api: the three calls run at once (about 0.2 s, not 0.6)";
    EXPECT_GE(got[0] / got[2], 5.0) << "ch11.single_flight: the cached answer is much faster";
}
