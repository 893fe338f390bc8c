// B3 tasks: 10,000 tasks, each yields to the loop 100 times (`co_await
// sleep(0s)`), all awaited; the raw baseline resumes bare coroutine handles
// straight from a ring buffer (the cost floor of a task switch).
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
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

constexpr int tasks = 10'000;
constexpr int yields = 100;
constexpr double switches = static_cast<double>(tasks) * yields;

// ------------------------------------------------------------------ raw

// The floor: a power-of-two ring of coroutine handles, resumed in FIFO order.
class RawScheduler {
public:
    explicit RawScheduler(std::size_t capacity) : slots_(capacity), mask_(capacity - 1) {}
    void push(std::coroutine_handle<> handle) { slots_[tail_++ & mask_] = handle; }
    void run() {
        while (head_ != tail_)
            slots_[head_++ & mask_].resume();
    }

private:
    std::vector<std::coroutine_handle<>> slots_;
    std::size_t mask_;
    std::size_t head_ = 0;
    std::size_t tail_ = 0;
};

// A coroutine that starts suspended and stays suspended at its end, so its
// owner destroys the frame; nothing else (no result, no continuation).
struct RawTask {
    struct promise_type {
        RawTask get_return_object() {
            return RawTask{std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        std::suspend_always initial_suspend() noexcept { return {}; }
        std::suspend_always final_suspend() noexcept { return {}; }
        void return_void() {}
        void unhandled_exception() { std::terminate(); }
    };
    std::coroutine_handle<promise_type> handle;
};

// co_await RawYield{...}: back of the ring, as sleep(0) is back of the ready queue.
struct RawYield {
    RawScheduler* scheduler;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> self) const { scheduler->push(self); }
    void await_resume() const noexcept {}
};

RawTask raw_worker(RawScheduler& scheduler, std::uint64_t& count) {
    for (int i = 0; i < yields; ++i) {
        co_await RawYield{&scheduler};
        ++count;
    }
}

// One run of every task; returns its seconds.
double run_raw() {
    RawScheduler scheduler(16384); // >= tasks: every task is in the ring at most once
    std::uint64_t count = 0;
    std::vector<RawTask> workers;
    workers.reserve(tasks);
    double seconds = time_seconds([&] {
        for (int i = 0; i < tasks; ++i) {
            workers.push_back(raw_worker(scheduler, count));
            scheduler.push(workers.back().handle);
        }
        scheduler.run();
        for (RawTask& worker : workers)
            worker.handle.destroy();
    });
    keep(count);
    return seconds;
}

void measure_raw() {
    result("B3", "raw", {num("switches_per_s", switches / best_of(default_runs, run_raw))});
}

// ------------------------------------------------------------------ looplab

#ifdef LOOPLAB_HAS_TASKS
aio::Coro<void> worker(std::uint64_t& count) {
    for (int i = 0; i < yields; ++i) {
        co_await aio::sleep(std::chrono::seconds(0));
        ++count;
    }
}

// Creates every task, then awaits them in turn: the same as gather for the
// total time (chapter 06's gather is not needed here).
aio::Coro<void> spawn_and_wait(std::uint64_t& count, double& seconds) {
    auto start = BenchClock::now();
    std::vector<aio::Task<void>> workers;
    workers.reserve(tasks);
    for (int i = 0; i < tasks; ++i)
        workers.push_back(aio::create_task(worker(count)));
    for (aio::Task<void>& task : workers)
        co_await task;
    seconds = seconds_since(start);
}

// One run under aio::run (a fresh loop each time); returns the seconds from the
// first create_task to the last task's end.
double run_looplab() {
    std::uint64_t count = 0;
    double seconds = 0;
    aio::run(spawn_and_wait(count, seconds));
    if (count != static_cast<std::uint64_t>(switches))
        throw std::runtime_error("the tasks yielded " + std::to_string(count) + " times");
    return seconds;
}

void measure_looplab() {
    result("B3", "looplab", {num("switches_per_s", switches / best_of(default_runs, run_looplab))});
}
#else
void measure_looplab() {
    skipped("B3", "looplab", "chapter-05-missing:task.hpp");
}
#endif

} // namespace

void run_b3_tasks() {
    if (measures_baselines) measure_raw();
    measure("B3", "looplab", measure_looplab);
}

} // namespace looplab::bench
