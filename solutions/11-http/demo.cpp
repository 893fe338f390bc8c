// Chapter 11 on the projector: the source articles' web API and a local
// httpbin on one port, the client's timeline of twelve slow requests one after
// another and five at a time, then the server stays up for curl.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "combinators.hpp"
#include "http.hpp"
#include "timeline.hpp"

using namespace std::chrono_literals;
using aio::Coro;
using aio::http::Application;
using aio::http::ClientOptions;
using aio::http::ClientSession;
using aio::http::Request;
using aio::http::Response;
using aio::json::Value;

namespace {

double since(aio::TimePoint zero) {
    return std::chrono::duration<double>(aio::get_running_loop().time() - zero).count();
}

// The slow backend the user API calls: 0.1 s per call, user 13 is broken.
Coro<Response> backend_user(Request r) {
    co_await aio::sleep(100ms);
    std::string id = r.match_info.at("id");
    if (id == "13") co_return aio::http::text_response("database on fire", 500);
    co_return aio::http::json_response(Value::object({{"id", id}, {"name", "user " + id}}));
}

Coro<Response> backend_orders(Request) {
    co_await aio::sleep(100ms);
    co_return aio::http::json_response(
        Value::array({Value::object({{"order", 1}, {"total", 9.5}})}));
}

Coro<Response> backend_preferences(Request) {
    co_await aio::sleep(100ms);
    co_return aio::http::json_response(Value::object({{"theme", "dark"}}));
}

Application backend() {
    Application app = aio::http::httpbin();
    app.add_get("/users/{id}", backend_user);
    app.add_get("/users/{id}/orders", backend_orders);
    app.add_get("/users/{id}/preferences", backend_preferences);
    return app;
}

Coro<void> timed_get(ClientSession session, std::string url, std::string row, aio::TimePoint zero,
                     aio::Timeline* timeline) {
    double start = since(zero);
    co_await session.get(url);
    timeline->add_span(row, start, since(zero), '#');
}

// The source articles' comparison, in tenths of a second: 12 requests to
// delays 1, 2, 1, 3 (x3), one after another, then 5 connections at once.
Coro<void> compare(std::string base, aio::Timeline* timeline) {
    const char* delays[] = {"0.1", "0.2", "0.1", "0.3"};
    aio::TimePoint zero = aio::get_running_loop().time();
    ClientSession one;
    for (int i = 0; i < 12; ++i)
        co_await timed_get(one, base + "/delay/" + delays[i % 4], "sequential", zero, timeline);
    double sequential = since(zero);
    ClientOptions five;
    five.limit = 5;
    ClientSession pool(five);
    aio::TimePoint start = aio::get_running_loop().time();
    std::vector<aio::Future<void>> all;
    for (int i = 0; i < 12; ++i)
        all.push_back(
            aio::create_task(timed_get(pool, base + "/delay/" + delays[i % 4],
                                       "limit=5 #" + std::to_string(i + 1), zero, timeline)));
    co_await aio::gather(all);
    double concurrent = since(start);
    std::printf("\n12 requests (delays 0.1 0.2 0.1 0.3 x3): one after another %.2f s, "
                "5 connections %.2f s (x%.1f)\n\n",
                sequential, concurrent, sequential / concurrent);
    co_await one.close();
    co_await pool.close();
}

void save(const aio::Timeline& timeline) {
    const char* chosen = std::getenv("LOOPLAB_TIMELINE_DIR");
    std::filesystem::path dir = (chosen && *chosen) ? chosen : "build/timelines";
    try {
        std::filesystem::create_directories(dir);
        timeline.save_svg((dir / "11-http-client-timeline.svg").string());
        std::ofstream(dir / "11-http-client-timeline.txt") << timeline.to_ascii();
        std::printf("wrote the timeline to %s\n", (dir / "11-http-client-timeline.svg").c_str());
    } catch (const std::exception& error) {
        std::printf("(could not write the timeline: %s)\n", error.what());
    }
}

void print_curl(const std::string& base) {
    std::printf("\nPaste these into a second terminal while the demo runs:\n\n");
    const char* paths[] = {
        "/user/7",     "/user/7",        "/user/13",  "/user/abc",           "/delay/1",
        "/status/418", "/redirect/3 -L", "/stream/3", "/anything?x=1 -d hi", "/json"};
    for (const char* path : paths) {
        std::string p = path, extra;
        if (std::size_t space = p.find(' '); space != std::string::npos) {
            extra = p.substr(space);
            p = p.substr(0, space);
        }
        std::printf("  curl -i%s '%s%s'\n", extra.c_str(), base.c_str(), p.c_str());
    }
    std::printf("\n  (the second /user/7 comes from the cache: no 0.1 s backend wait;\n"
                "   /user/13 is 502, /user/abc is 400; -i shows Date, Server, Content-Length)\n");
}

Coro<void> demo(double seconds) {
    aio::Server slow = co_await aio::http::serve(backend());
    std::string backend_url = "http://127.0.0.1:" + std::to_string(slow.port());
    ClientSession to_backend;
    Application app = aio::http::user_api(to_backend, backend_url, 30s);
    app.add_routes(aio::http::httpbin());
    aio::Server server = co_await aio::http::serve(app);
    std::string base = "http://127.0.0.1:" + std::to_string(server.port());
    std::printf("user API and httpbin on %s (the backend it calls: %s)\n", base.c_str(),
                backend_url.c_str());

    aio::Timeline timeline("Chapter 11: 12 GETs of /delay, one after another, then limit=5");
    co_await compare(base, &timeline);
    std::printf("%s\n", timeline.to_ascii().c_str());
    save(timeline);

    print_curl(base);
    std::printf("\nserving for %.0f s (DEMO_S=300 make demo CH=11 keeps it up longer)\n", seconds);
    std::fflush(stdout);
    co_await aio::sleep(
        std::chrono::duration_cast<aio::Duration>(std::chrono::duration<double>(seconds)));
    co_await to_backend.close();
    server.close();
    slow.close();
    std::printf("stopped\n");
}

} // namespace

int main() {
    const char* s = std::getenv("DEMO_S");
    double seconds = (s && *s) ? std::atof(s) : 20.0;
    aio::run(demo(seconds));
}
