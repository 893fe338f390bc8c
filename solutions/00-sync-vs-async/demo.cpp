// The classroom demo of chapter 00: ten requests to a server that waits 200 ms
// before each answer, fetched three ways, each request drawn on one timeline.
//
// To draw each request, the demo runs the strategies from their building blocks
// with a stopwatch around each request: fetch_one in a loop (fetch_sequential),
// fetch_one on a thread each (fetch_threaded), and the Exchange state machines
// under run_exchanges (fetch_multiplexed). The demo's only additions are the
// timestamps.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "exchange.hpp"
#include "fetch.hpp"
#include "slow_server.hpp"
#include "timeline.hpp"

namespace {

using namespace std::chrono_literals;
using aio::Clock;

constexpr int request_count = 10;
constexpr auto delay = 200ms;
const char* const timeline_name = "00-sync-vs-async-timeline";

double seconds_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

std::vector<std::string> make_requests() {
    std::vector<std::string> requests;
    for (int i = 0; i < request_count; ++i)
        requests.push_back("request " + std::to_string(i));
    return requests;
}

// What fetch_sequential does, with a stopwatch around each request. Returns seconds.
double run_sequential(std::uint16_t port, const std::vector<std::string>& requests,
                      aio::Timeline& timeline) {
    Clock::time_point zero = Clock::now();
    for (std::size_t i = 0; i < requests.size(); ++i) {
        double start = seconds_between(zero, Clock::now());
        aio::fetch_one(port, requests[i], i);
        timeline.add_span("sequential " + std::to_string(i), start,
                          seconds_between(zero, Clock::now()), '#');
    }
    return seconds_between(zero, Clock::now());
}

// What fetch_threaded does: one thread per request, each timing its own.
double run_threaded(std::uint16_t port, const std::vector<std::string>& requests,
                    aio::Timeline& timeline) {
    std::vector<double> starts(requests.size()), ends(requests.size());
    std::vector<std::exception_ptr> errors(requests.size());
    Clock::time_point zero = Clock::now();
    {
        std::vector<std::jthread> threads;
        for (std::size_t i = 0; i < requests.size(); ++i)
            threads.emplace_back([&, i] {
                starts[i] = seconds_between(zero, Clock::now());
                try {
                    aio::fetch_one(port, requests[i], i);
                } catch (...) {
                    errors[i] = std::current_exception();
                }
                ends[i] = seconds_between(zero, Clock::now());
            });
    }
    double total = seconds_between(zero, Clock::now());
    for (const std::exception_ptr& error : errors)
        if (error) std::rethrow_exception(error);
    for (std::size_t i = 0; i < requests.size(); ++i)
        timeline.add_span("threads " + std::to_string(i), starts[i], ends[i], '=');
    return total;
}

// What fetch_multiplexed does: every Exchange starts at once (run_exchanges
// starts them before its first poll), each ends when on_done sees it finish.
double run_multiplexed(std::uint16_t port, const std::vector<std::string>& requests,
                       aio::Timeline& timeline) {
    std::vector<aio::Exchange> exchanges;
    for (std::size_t i = 0; i < requests.size(); ++i)
        exchanges.emplace_back(port, requests[i], i);
    Clock::time_point zero = Clock::now();
    run_exchanges(exchanges, [&](const aio::Exchange& exchange) {
        timeline.add_span("poll " + std::to_string(exchange.index()), 0.0,
                          seconds_between(zero, Clock::now()), '~');
    });
    return seconds_between(zero, Clock::now());
}

// Where this run's pictures go: $LOOPLAB_TIMELINE_DIR, else build/timelines. Never
// diagrams/: the committed figure stays as it is, and a demo leaves the clone clean.
std::filesystem::path timeline_dir() {
    const char* chosen = std::getenv("LOOPLAB_TIMELINE_DIR");
    return (chosen != nullptr && *chosen != '\0') ? chosen : "build/timelines";
}

void save(const aio::Timeline& timeline) {
    std::filesystem::path dir = timeline_dir();
    std::filesystem::path svg = dir / (std::string(timeline_name) + ".svg");
    std::filesystem::path text = dir / (std::string(timeline_name) + ".txt");
    try {
        std::filesystem::create_directories(dir);
        timeline.save_svg(svg.string());
        std::ofstream(text) << timeline.to_ascii();
        std::printf("\nwrote this run's timeline to %s and %s\n", svg.c_str(), text.c_str());
        std::printf("(LOOPLAB_TIMELINE_DIR=<folder> puts it elsewhere)\n");
    } catch (const std::exception& error) {
        std::printf("\n(could not write %s: %s)\n", svg.c_str(), error.what());
    }
}

void print_line(const char* name, double seconds, int peak, double sequential) {
    std::printf("  %-12s %5.2f s   server held at most %2d request(s) at once", name, seconds,
                peak);
    if (seconds < sequential) std::printf("   speedup x%.0f", sequential / seconds);
    std::printf("\n");
}

} // namespace

int main() {
    looplab::SlowServer server({.delay = delay});
    std::vector<std::string> requests = make_requests();
    aio::Timeline timeline("10 requests, each answered after 200 ms: one after another, a thread "
                           "each, one thread with poll()");
    std::printf("Chapter 00: %d requests to a server that answers each after %lld ms.\n\n",
                request_count, static_cast<long long>(delay.count()));
    try {
        double sequential = run_sequential(server.port(), requests, timeline);
        int sequential_peak = server.peak_concurrency();
        server.reset_stats();
        double threaded = run_threaded(server.port(), requests, timeline);
        int threaded_peak = server.peak_concurrency();
        server.reset_stats();
        double multiplexed = run_multiplexed(server.port(), requests, timeline);
        std::printf("%s\n", timeline.to_ascii().c_str());
        print_line("sequential", sequential, sequential_peak, sequential);
        print_line("threads", threaded, threaded_peak, sequential);
        print_line("poll()", multiplexed, server.peak_concurrency(), sequential);
        save(timeline);
    } catch (const aio::NotImplemented& missing) {
        std::printf("The demo needs %s: finish that exercise first (make check CH=00).\n",
                    missing.exercise().c_str());
        return 1;
    }
    return 0;
}
