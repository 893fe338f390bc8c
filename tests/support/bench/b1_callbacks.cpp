// B1 callbacks: 1,000 chains of call_soon, each callback bumps a counter and
// re-schedules itself until 1,000,000 callbacks have run; the raw baseline is a
// ring buffer of plain function pointers (the cost floor of a ready queue).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench.hpp"

#if __has_include("event_loop.hpp")
#include "event_loop.hpp"
#define LOOPLAB_HAS_EVENT_LOOP 1
#endif

namespace looplab::bench {

namespace {

constexpr std::uint64_t chains = 1'000;
constexpr std::uint64_t total_callbacks = 1'000'000;

// The counters every chain shares. A chain goes on while fewer than
// total_callbacks have been scheduled, so exactly total_callbacks run.
struct Counters {
    std::uint64_t scheduled = 0;
    std::uint64_t ran = 0;
};

// ------------------------------------------------------------------ raw

// The floor: a power-of-two ring of function pointers, no allocation, no
// type erasure, no exception handling around the call.
class RawRing {
public:
    using Fn = void (*)(RawRing&);

    explicit RawRing(std::size_t capacity) : slots_(capacity), mask_(capacity - 1) {}
    void push(Fn fn) { slots_[tail_++ & mask_] = fn; }
    bool empty() const { return head_ == tail_; }
    void run() {
        while (!empty())
            slots_[head_++ & mask_](*this);
    }

    Counters counters;

private:
    std::vector<Fn> slots_;
    std::size_t mask_;
    std::size_t head_ = 0;
    std::size_t tail_ = 0;
};

void raw_step(RawRing& ring) {
    ++ring.counters.ran;
    if (ring.counters.scheduled < total_callbacks) {
        ++ring.counters.scheduled;
        ring.push(&raw_step);
    }
}

// One run of the 1,000 chains; returns its seconds.
double run_raw() {
    RawRing ring(1024); // >= chains, so a chain never overwrites a pending slot
    double seconds = time_seconds([&] {
        for (std::uint64_t i = 0; i < chains; ++i) {
            ++ring.counters.scheduled;
            ring.push(&raw_step);
        }
        ring.run();
    });
    keep(ring.counters.ran);
    return seconds;
}

void measure_raw() {
    double seconds = best_of(default_runs, run_raw);
    result("B1", "raw", {num("callbacks_per_s", total_callbacks / seconds)});
}

// ------------------------------------------------------------------ looplab

#ifdef LOOPLAB_HAS_EVENT_LOOP
// One link of a chain: two pointers, trivially copyable, so std::function keeps
// it in its small buffer (no allocation): what we measure is the loop's own cost.
struct Step {
    aio::EventLoop* loop;
    Counters* counters;

    void operator()() const {
        if (++counters->ran == total_callbacks) loop->stop();
        if (counters->scheduled < total_callbacks) {
            ++counters->scheduled;
            loop->call_soon(*this);
        }
    }
};

// One run of the 1,000 chains on a fresh loop; returns its seconds.
double run_looplab() {
    aio::EventLoop loop;
    Counters counters;
    double seconds = time_seconds([&] {
        for (std::uint64_t i = 0; i < chains; ++i) {
            ++counters.scheduled;
            loop.call_soon(Step{&loop, &counters});
        }
        loop.run_forever();
    });
    loop.close();
    if (counters.ran != total_callbacks)
        throw std::runtime_error("ran " + std::to_string(counters.ran) + " callbacks");
    return seconds;
}

void measure_looplab() {
    double seconds = best_of(default_runs, run_looplab);
    result("B1", "looplab", {num("callbacks_per_s", total_callbacks / seconds)});
}
#else
void measure_looplab() {
    skipped("B1", "looplab", "chapter-03-missing:event_loop.hpp");
}
#endif

} // namespace

void run_b1_callbacks() {
    if (measures_baselines) measure_raw();
    measure("B1", "looplab", measure_looplab);
}

} // namespace looplab::bench
