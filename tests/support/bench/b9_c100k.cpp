// B9 c100k: 100,000 tasks each `co_await sleep(1s)`, then bump a counter, all
// awaited (the source articles' "hundred-thousand-level concurrency"). Two
// figures: the wall time from the first create_task to the last task's end
// (1 s of sleeping plus what the loop costs), and the memory one sleeping task
// holds: RSS growth once every task sleeps, over 100,000. For scale, Python
// 3.11's asyncio ran the same workload on the kit's 2-core test machine in
// 9.2 s with 1,468 bytes per task. There is no raw baseline: the question is
// what a task costs, not how fast a loop spins.
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench.hpp"

#if __has_include("task.hpp") && __has_include("coro.hpp")
#include "coro.hpp"
#include "task.hpp"
#define LOOPLAB_HAS_TASKS 1
#endif

namespace looplab::bench {

namespace {

constexpr int tasks = 100'000;

// Resident memory of this process, in bytes (/proc/self/statm's second field).
double resident_bytes() {
    std::FILE* statm = std::fopen("/proc/self/statm", "r");
    if (statm == nullptr) return 0;
    long pages_total = 0, pages_resident = 0;
    int read = std::fscanf(statm, "%ld %ld", &pages_total, &pages_resident);
    std::fclose(statm);
    return read == 2 ? static_cast<double>(pages_resident) * 4096.0 : 0;
}

#ifdef LOOPLAB_HAS_TASKS
struct Figures {
    std::uint64_t count = 0;
    double wall_s = 0;
    double bytes_per_task = 0;
};

aio::Coro<void> sleeper(std::uint64_t& count) {
    co_await aio::sleep(std::chrono::seconds(1));
    ++count;
}

aio::Coro<void> hundred_thousand(Figures& figures) {
    std::vector<aio::Task<void>> sleepers;
    sleepers.reserve(tasks);
    double before = resident_bytes();
    auto start = BenchClock::now();
    for (int i = 0; i < tasks; ++i)
        sleepers.push_back(aio::create_task(sleeper(figures.count)));
    co_await aio::sleep(std::chrono::seconds(0)); // one pass: every task is asleep now
    figures.bytes_per_task = (resident_bytes() - before) / tasks;
    for (aio::Task<void>& task : sleepers)
        co_await task;
    figures.wall_s = seconds_since(start);
}

void measure_looplab() {
    Figures figures;
    aio::run(hundred_thousand(figures));
    if (figures.count != static_cast<std::uint64_t>(tasks))
        throw std::runtime_error(std::to_string(figures.count) + " tasks woke, not 100000");
    result("B9", "looplab",
           {num("wall_s", figures.wall_s, 3), num("bytes_per_task", figures.bytes_per_task)});
}
#else
void measure_looplab() {
    skipped("B9", "looplab", "chapter-05-missing:task.hpp");
}
#endif

} // namespace

void run_b9_c100k() {
    measure("B9", "looplab", measure_looplab);
}

} // namespace looplab::bench
