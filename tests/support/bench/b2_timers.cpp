// B2 timers: 200,000 one-shot timers spread evenly over [0, 1000) ms, every
// second one cancelled at once, the rest run to completion. Measures what a
// timeout costs when it never fires (schedule + cancel) and how late the last
// timer fires (the loop's overshoot).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "bench.hpp"

#if __has_include("event_loop.hpp")
#include "event_loop.hpp"
#define LOOPLAB_HAS_EVENT_LOOP 1
#endif

namespace looplab::bench {

namespace {

#ifdef LOOPLAB_HAS_EVENT_LOOP
constexpr std::size_t timers = 200'000;
constexpr std::chrono::milliseconds span{1000};

struct Fired {
    aio::EventLoop* loop;
    std::size_t count = 0;
};

// The callback of every timer; the last live one stops the loop, so `fired`
// shows any timer that ran although cancelled (or was lost).
struct Fire {
    Fired* fired;
    bool last;
    void operator()() const {
        ++fired->count;
        if (last) fired->loop->stop();
    }
};

// Schedules every timer at start + i * span / timers and cancels the odd ones;
// returns the nanoseconds spent per timer.
double schedule_and_cancel(aio::EventLoop& loop, aio::TimePoint start, Fired& fired) {
    std::vector<aio::TimerHandle> handles;
    handles.reserve(timers);
    auto begin = BenchClock::now();
    for (std::size_t i = 0; i < timers; ++i) {
        auto when = start + aio::Duration(span) * i / timers; // ns: no ms truncation
        handles.push_back(loop.call_at(when, Fire{&fired, i == timers - 2}));
    }
    for (std::size_t i = 1; i < timers; i += 2)
        handles[i].cancel();
    return seconds_since(begin) * 1e9 / timers;
}

// A first round touches ~30 MB of fresh memory, and its page faults (dear on a
// virtual machine) cost more than the timers. A long-running program reuses its
// pages, so the figure comes from a second round; the first is reported as cold.
double cold_round() {
    aio::EventLoop loop;
    Fired fired{&loop};
    double ns_per_op = schedule_and_cancel(loop, loop.time() + std::chrono::hours(1), fired);
    loop.close();
    return ns_per_op;
}

void measure_looplab() {
    double cold_ns_per_op = cold_round();
    aio::EventLoop loop;
    Fired fired{&loop};
    auto wall_start = BenchClock::now();
    auto start = loop.time();
    double ns_per_op = schedule_and_cancel(loop, start, fired);
    // A safety net, not part of the measurement: a loop that loses the last
    // timer still stops.
    loop.call_at(start + 10 * span, [&loop] { loop.stop(); });
    loop.run_forever();
    double overshoot_ms = seconds_since(wall_start) * 1e3 - 1000.0;
    loop.close();
    result("B2", "looplab",
           {num("sched_cancel_ns_per_op", ns_per_op, 1), num("overshoot_ms", overshoot_ms, 3),
            num("fired", static_cast<double>(fired.count)),
            num("cold_ns_per_op", cold_ns_per_op, 1)});
}
#else
void measure_looplab() {
    skipped("B2", "looplab", "chapter-03-missing:event_loop.hpp");
}
#endif

} // namespace

void run_b2_timers() {
    measure("B2", "looplab", measure_looplab);
}

} // namespace looplab::bench
