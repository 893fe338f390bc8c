// The harness of `make bench`: timing, the RESULT lines, the workload list.
//
// Every workload prints one machine-readable line per implementation measured
// (tests/support/bench/README.md): `RESULT <workload> <impl> <metric>=<value> ...`. bench_main runs
// each workload in a child process and builds the human table from those lines
// alone, so a learner's loop that crashes or hangs costs one row, not the run.
#pragma once

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace looplab::bench {

// Which loop this binary measures. bench.mk builds two binaries from the same
// workloads: the reference loop (solutions/ 00-11, "looplab") and chapter 14's
// fast loop ("fast"), defined on the fast one's command line. A workload always
// names its loop "looplab"; result() and skipped() print this name instead.
#ifndef LOOPLAB_BENCH_LOOP
#define LOOPLAB_BENCH_LOOP "looplab"
#endif
constexpr std::string_view loop_name = LOOPLAB_BENCH_LOOP;

// The raw baselines (and B6's blocking client) are measured by the reference
// binary only: the fast one is compared with the same figures, from the same run.
constexpr bool measures_baselines = loop_name == "looplab";

using BenchClock = std::chrono::steady_clock;

// Wall-clock seconds since `start`.
inline double seconds_since(BenchClock::time_point start) {
    return std::chrono::duration<double>(BenchClock::now() - start).count();
}

// Wall-clock seconds that fn() takes.
template <class F>
double time_seconds(F&& fn) {
    auto start = BenchClock::now();
    fn();
    return seconds_since(start);
}

// The machines are shared and noisy: a workload runs `runs` times and keeps its
// fastest run, the one least disturbed by the neighbours. fn() returns seconds.
constexpr int default_runs = 3;
template <class F>
double best_of(int runs, F&& fn) {
    double best = fn();
    for (int i = 1; i < runs; ++i) {
        double seconds = fn();
        if (seconds < best) best = seconds;
    }
    return best;
}

// One `key=value` of a RESULT line. Values never hold spaces (the line is split on them).
struct Field {
    std::string key;
    std::string value;
};

Field num(std::string key, double value, int decimals = 0); // "callbacks_per_s=12345678"
Field text(std::string key, std::string_view value);        // spaces become '-'

// Prints `RESULT <workload> <impl> <fields...>` and flushes, so the parent sees it at once.
void result(std::string_view workload, std::string_view impl, const std::vector<Field>& fields);

// Prints `RESULT <workload> <impl> [context...] skipped=<reason>`.
void skipped(std::string_view workload, std::string_view impl, std::string_view reason,
             const std::vector<Field>& context = {});

// Why an implementation could not be measured: "not-implemented:ch03.run_once" for a
// lesson stub, else "error:<what()>". For the exception being handled.
std::string describe_current_exception();

// Runs fn(); an exception becomes a `skipped=` line for (workload, impl) instead of
// ending the workload, so the raw baseline measured beside it is still reported.
template <class F>
void measure(std::string_view workload, std::string_view impl, F&& fn,
             const std::vector<Field>& context = {}) {
    if (impl != "looplab" && !measures_baselines) return;
    try {
        fn();
    } catch (...) {
        skipped(workload, impl, describe_current_exception(), context);
    }
}

// Keeps the optimiser from deleting a computation whose result nobody reads.
template <class T>
inline void keep(const T& value) {
    asm volatile("" : : "r,m"(value) : "memory");
}

// The RESULT lines of a run read back, and the human table built from them:
// per workload the loop's figure, the raw baseline's, their ratio, and the
// target of the issue (reported, never asserted).
class Summary {
public:
    void add(std::string_view line); // ignores anything but a RESULT line
    void print(std::FILE* out) const;
    void chart(std::FILE* out) const; // bars of the throughputs, then print()

    struct Line {
        std::string workload;
        std::string impl;
        std::map<std::string, std::string> fields;
    };

private:
    std::vector<Line> lines_;
};

// The workloads (one file each). Each prints its own RESULT lines.
void run_b1_callbacks();
void run_b2_timers();
void run_b3_tasks();
void run_b4_echo();
void run_b6_sync_vs_async();
void run_b7_scaling();
void run_b8_http();
void run_b9_c100k();
void run_m_micro();

struct Workload {
    const char* id;    // "B1"
    const char* title; // "callbacks"
    void (*run)();
};

// In the order `make bench` runs them.
const std::vector<Workload>& workloads();

} // namespace looplab::bench
