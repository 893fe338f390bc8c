// Chapter 09 on the projector: what a blocking call does to the loop, the same
// call on the executor, why a cancel cannot stop a thread, and the file
// pipeline with a bound on the jobs in flight.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "file_pipeline.hpp"
#include "heartbeat.hpp"
#include "loop_bridge.hpp"

using namespace std::chrono_literals;
using aio::EventLoop;
using aio::Future;

namespace {

using looplab::Heartbeat;

double ms(aio::Duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

void slow_lookup() {
    std::this_thread::sleep_for(500ms);
} // a blocking call: DNS, a file, a DB

// A 10 ms heartbeat runs while the 500 ms call runs on the loop's thread, or
// on a worker; its worst lag is how long the loop could not run anything.
void heartbeat_lag(bool on_executor) {
    EventLoop loop;
    Heartbeat heartbeat(loop, 10ms);
    heartbeat.start();
    loop.call_later(20ms, [&] {
        if (!on_executor) {
            slow_lookup();
            loop.call_later(50ms, [&loop] { loop.stop(); }); // let the late beat show
            return;
        }
        Future<void> call = aio::run_in_executor(loop, nullptr, slow_lookup);
        call.add_done_callback(
            [&loop](Future<void>) { loop.call_later(50ms, [&loop] { loop.stop(); }); });
    });
    loop.run_forever();
    std::printf("  %-30s beats %3d   worst lag %6.1f ms\n",
                on_executor ? "run_in_executor(slow_lookup)" : "slow_lookup() inline",
                heartbeat.beats(), ms(heartbeat.worst_lag()));
}

void cancel_cannot_stop_a_thread() {
    EventLoop loop;
    std::atomic<bool> finished{false};
    auto job = [&finished] {
        std::this_thread::sleep_for(200ms);
        finished = true;
        return 42;
    };
    Future<int> future = aio::run_in_executor(loop, nullptr, job);
    loop.call_later(50ms, [&] {
        future.cancel();
        std::printf("  t=50 ms   future.cancel(): cancelled=%d, thread finished=%d\n",
                    future.cancelled(), finished.load());
    });
    loop.call_later(300ms, [&] {
        std::printf("  t=300 ms  the thread ran to its end anyway: finished=%d; its 42 is "
                    "dropped\n",
                    finished.load());
        loop.stop();
    });
    loop.run_forever();
}

aio::Coro<std::string> slow_upper(std::string text) {
    co_await aio::sleep(100ms); // stands for a call to a service
    for (char& c : text)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    co_return text;
}

void file_pipeline() {
    std::filesystem::path dir = std::filesystem::temp_directory_path() / "looplab-ch09-demo";
    std::filesystem::create_directories(dir);
    std::vector<aio::FileJob> jobs;
    for (int i = 0; i < 6; ++i) {
        std::string name = "poem" + std::to_string(i);
        if (i != 4) std::ofstream(dir / (name + ".txt")) << "line " << i << " of a small poem";
        jobs.push_back({(dir / (name + ".txt")).string(), (dir / (name + ".upper")).string()});
    }
    auto start = std::chrono::steady_clock::now();
    auto outcomes = aio::run(aio::process_files(jobs, slow_upper, 2));
    double took = ms(std::chrono::steady_clock::now() - start);
    for (const aio::FileOutcome& outcome : outcomes)
        std::printf("  %-12s %s\n", std::filesystem::path(outcome.input).filename().c_str(),
                    outcome.ok() ? "-> written" : outcome.error.c_str());
    std::printf("  6 jobs, 2 in flight, 100 ms transform each: %.0f ms (3 rounds)\n", took);
    std::filesystem::remove_all(dir);
}

} // namespace

int main() {
    std::printf("1. A 10 ms heartbeat while a 500 ms blocking call runs\n");
    heartbeat_lag(false);
    heartbeat_lag(true);
    std::printf("\n2. Cancelling an executor future cannot stop its thread\n");
    cancel_cannot_stop_a_thread();
    std::printf("\n3. The file pipeline: read on workers, transform on the loop, write\n");
    file_pipeline();
}
