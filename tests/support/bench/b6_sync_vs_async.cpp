// B6 sync-vs-async: a local server answers each request after 50 ms; 100
// requests one after another on blocking sockets (chapter 00's sequential
// client), then all at once on the loop: one task per request on streams
// (chapter 10's open_connection), or chapter 05's coroutine client when the
// stack stops before chapter 10.
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "bench.hpp"
#include "fetch.hpp"
#include "slow_server.hpp"

#if __has_include("streams.hpp")
#include "streams.hpp"
#include "task.hpp"
#define LOOPLAB_HAS_STREAMS 1
#define LOOPLAB_HAS_FETCH_COROUTINES 1
#elif __has_include("fetch_coroutines.hpp")
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

#ifdef LOOPLAB_HAS_STREAMS
// One request on its own connection: a line out, a line back.
aio::Coro<std::string> ask(std::uint16_t port, std::string request) {
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port);
    writer.write(request + "\n");
    std::string answer = co_await reader.readline();
    writer.close();
    if (!answer.empty() && answer.back() == '\n') answer.pop_back();
    co_return answer;
}

aio::Coro<std::vector<std::string>> ask_all(std::uint16_t port, std::vector<std::string> requests) {
    std::vector<aio::Task<std::string>> tasks;
    for (const std::string& request : requests)
        tasks.push_back(aio::create_task(ask(port, request)));
    std::vector<std::string> answers;
    for (aio::Task<std::string>& task : tasks)
        answers.push_back(co_await task);
    co_return answers;
}

std::vector<std::string> fetch_all_at_once(std::uint16_t port,
                                           const std::vector<std::string>& requests) {
    return aio::run(ask_all(port, requests));
}
#elif defined(LOOPLAB_HAS_FETCH_COROUTINES)
std::vector<std::string> fetch_all_at_once(std::uint16_t port,
                                           const std::vector<std::string>& requests) {
    return aio::fetch_with_coroutines(port, requests);
}
#endif

#ifdef LOOPLAB_HAS_FETCH_COROUTINES
// The async side takes a twentieth of a second, so it runs best of three like
// the other workloads (the sequential side's five seconds are all sleep).
void measure_async(SlowServer& server, const std::vector<std::string>& requests, double sync_s) {
    server.reset_stats();
    std::vector<std::string> answers;
    double seconds = best_of(default_runs, [&] {
        return time_seconds([&] { answers = fetch_all_at_once(server.port(), requests); });
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
