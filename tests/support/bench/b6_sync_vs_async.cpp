// B6 sync-vs-async: a local server answers each request after 50 ms; 100
// requests one after another on blocking sockets (chapter 00's sequential
// client), then all at once on the loop (chapter 05's coroutine client).
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "bench.hpp"
#include "fetch.hpp"
#include "slow_server.hpp"

#if __has_include("fetch_coroutines.hpp")
#include "fetch_coroutines.hpp"
#define LOOPLAB_HAS_FETCH_COROUTINES 1
#endif

namespace looplab::bench {

namespace {

constexpr std::size_t request_count = 100;
constexpr std::chrono::milliseconds delay{50};

std::vector<std::string> make_requests() {
    std::vector<std::string> requests;
    for (std::size_t i = 0; i < request_count; ++i)
        requests.push_back("request " + std::to_string(i));
    return requests;
}

// The answers must be right for the time to mean anything.
std::size_t count_correct(const std::vector<std::string>& requests,
                          const std::vector<std::string>& answers) {
    std::size_t correct = 0;
    for (std::size_t i = 0; i < requests.size() && i < answers.size(); ++i)
        if (answers[i] == SlowServer::answer_for(requests[i])) ++correct;
    return correct;
}

// Returns the seconds, or 0 when the sequential client failed (a lesson stub).
double measure_sync(SlowServer& server, const std::vector<std::string>& requests) {
    double seconds = 0;
    measure("B6", "sync", [&] {
        std::vector<std::string> answers;
        seconds = time_seconds([&] { answers = aio::fetch_sequential(server.port(), requests); });
        result("B6", "sync",
               {num("sync_s", seconds, 3),
                num("correct", static_cast<double>(count_correct(requests, answers))),
                num("peak", server.peak_concurrency())});
    });
    return seconds;
}

#ifdef LOOPLAB_HAS_FETCH_COROUTINES
// The async side takes a twentieth of a second, so it runs best of three like
// the other workloads (the sequential side's five seconds are all sleep).
void measure_async(SlowServer& server, const std::vector<std::string>& requests, double sync_s) {
    server.reset_stats();
    std::vector<std::string> answers;
    double seconds = best_of(default_runs, [&] {
        return time_seconds([&] { answers = aio::fetch_with_coroutines(server.port(), requests); });
    });
    std::vector<Field> fields{num("async_s", seconds, 3)};
    if (sync_s > 0) fields.push_back(num("speedup", sync_s / seconds, 1));
    fields.push_back(num("correct", static_cast<double>(count_correct(requests, answers))));
    fields.push_back(num("peak", server.peak_concurrency()));
    result("B6", "looplab", fields);
}
#else
void measure_async(SlowServer&, const std::vector<std::string>&, double) {
    skipped("B6", "looplab", "chapter-05-missing:fetch_coroutines.hpp");
}
#endif

} // namespace

void run_b6_sync_vs_async() {
    SlowServer server(SlowServerOptions{.delay = delay});
    std::vector<std::string> requests = make_requests();
    double sync_s = measure_sync(server, requests);
    measure("B6", "looplab", [&] { measure_async(server, requests, sync_s); });
}

} // namespace looplab::bench
