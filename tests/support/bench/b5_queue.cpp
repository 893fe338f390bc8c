// B5 queue: a Queue of maxsize 100, 4 producer tasks x 250,000 items, 4
// consumer tasks; the raw baseline hands the same items through a plain ring
// buffer of 100 slots, no loop and no tasks (the cost floor of the hand-off).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench.hpp"

#if __has_include("queues.hpp") && __has_include("task.hpp")
#include "queues.hpp"
#include "task.hpp"
#define LOOPLAB_HAS_QUEUES 1
#endif

namespace looplab::bench {

namespace {

constexpr int producers = 4;
constexpr int consumers = 4;
constexpr int items_each = 250'000;
constexpr std::size_t capacity = 100;
constexpr double items = static_cast<double>(producers) * items_each;
// Every item is its producer's base + index: the sum checks that each arrived once.
constexpr std::uint64_t expected_sum =
    static_cast<std::uint64_t>(items) * (items - 1) / 2; // items 0 .. items-1

// ------------------------------------------------------------------ raw

// The floor: producers take turns filling the ring until it is full, then
// consumers take turns draining it until it is empty, as the loop's tasks
// would if every hand-off were free.
double run_raw() {
    std::vector<std::uint64_t> ring(capacity);
    std::size_t head = 0, size = 0;
    std::uint64_t next[producers];
    for (int p = 0; p < producers; ++p)
        next[p] = static_cast<std::uint64_t>(p) * items_each;
    std::uint64_t sum = 0, count = 0;
    double seconds = time_seconds([&] {
        int producer = 0, consumer = 0;
        while (count < static_cast<std::uint64_t>(items)) {
            for (int tries = 0; size < capacity && tries < producers; ++tries) {
                int p = producer++ % producers;
                std::uint64_t end = static_cast<std::uint64_t>(p + 1) * items_each;
                while (size < capacity && next[p] < end)
                    ring[(head + size++) % capacity] = next[p]++;
            }
            while (size > 0) {
                sum += ring[head];
                head = (head + 1) % capacity;
                --size;
                ++count;
                ++consumer; // whose turn it is, as in the loop's version
            }
        }
        keep(consumer);
    });
    if (sum != expected_sum) throw std::runtime_error("raw ring lost or duplicated items");
    return seconds;
}

void measure_raw() {
    result("B5", "raw", {num("items_per_s", items / best_of(default_runs, run_raw))});
}

// ------------------------------------------------------------------ looplab

#ifdef LOOPLAB_HAS_QUEUES
aio::Coro<void> produce(aio::Queue<std::uint64_t>& queue, std::uint64_t base) {
    for (std::uint64_t i = 0; i < static_cast<std::uint64_t>(items_each); ++i)
        co_await queue.put(base + i);
}

// Until the queue is shut down and drained (no sentinels).
aio::Coro<void> consume(aio::Queue<std::uint64_t>& queue, std::uint64_t& sum) {
    for (;;) {
        try {
            sum += co_await queue.get();
        } catch (const aio::QueueShutDown&) {
            break;
        }
    }
}

aio::Coro<void> hand_off(std::uint64_t& sum, double& seconds) {
    aio::Queue<std::uint64_t> queue(capacity);
    auto start = BenchClock::now();
    std::vector<aio::Task<void>> takers, makers;
    for (int c = 0; c < consumers; ++c)
        takers.push_back(aio::create_task(consume(queue, sum)));
    for (int p = 0; p < producers; ++p)
        makers.push_back(
            aio::create_task(produce(queue, static_cast<std::uint64_t>(p) * items_each)));
    for (aio::Task<void>& maker : makers)
        co_await maker;
    queue.shutdown(); // the consumers drain what is left, then end
    for (aio::Task<void>& taker : takers)
        co_await taker;
    seconds = seconds_since(start);
}

double run_looplab() {
    std::uint64_t sum = 0;
    double seconds = 0;
    aio::run(hand_off(sum, seconds));
    if (sum != expected_sum) throw std::runtime_error("the queue lost or duplicated items");
    return seconds;
}

void measure_looplab() {
    result("B5", "looplab", {num("items_per_s", items / best_of(default_runs, run_looplab))});
}
#else
void measure_looplab() {
    skipped("B5", "looplab", "chapter-08-missing:queues.hpp");
}
#endif

} // namespace

void run_b5_queue() {
    if (measures_baselines) measure_raw();
    measure("B5", "looplab", measure_looplab);
}

} // namespace looplab::bench
