// Classroom demo: the timer heap drawn as timers are pushed, cancelled and popped; then its cost.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "clock.hpp"
#include "timers.hpp"
#include "timing.hpp"

using namespace std::chrono_literals;
using aio::TimePoint;
using aio::TimerQueue;

namespace {

const TimePoint t0 = aio::VirtualClock::start_time;

// An entry as the demo shows it: its deadline in ms after t0, "x" when cancelled.
std::string label(const TimerQueue::Entry& entry) {
    long ms = std::chrono::duration_cast<std::chrono::milliseconds>(entry.when - t0).count();
    return std::to_string(ms) + (entry.state->cancelled ? "x" : "");
}

void put(std::string& line, int center, const std::string& text) {
    int start = std::max(0, center - static_cast<int>(text.size()) / 2);
    line.replace(start, text.size(), text);
}

// The heap level by level: node i has its children at 2i + 1 and 2i + 2.
void draw_tree(const TimerQueue& queue) {
    const std::vector<TimerQueue::Entry>& heap = queue.entries();
    const int count = static_cast<int>(heap.size());
    int levels = 0;
    while ((1 << levels) - 1 < count)
        ++levels;
    const int width = (1 << std::max(0, levels - 1)) * 6;
    for (int level = 0; level < levels; ++level) {
        std::string links(width + 4, ' '), nodes(width + 4, ' ');
        const int first = (1 << level) - 1, span = width >> level;
        for (int i = first; i < std::min(count, 2 * first + 1); ++i) {
            int center = (i - first) * span + span / 2;
            put(nodes, center, label(heap[i]));
            if (level > 0)
                put(links, center + (i % 2 == 1 ? span / 4 : -span / 4), i % 2 ? "/" : "\\");
        }
        if (level > 0) std::printf("    %s\n", links.c_str());
        std::printf("    %s\n", nodes.c_str());
    }
    std::printf("  array:");
    for (int i = 0; i < count; ++i)
        std::printf(" [%d]%s", i, label(heap[i]).c_str());
    std::printf("\n  size() %zu live · heap_size() %zu entries\n\n", queue.size(),
                queue.heap_size());
}

void pop_and_run(TimerQueue& queue, aio::VirtualClock& clock, aio::Duration step,
                 const char* note) {
    clock.advance(step);
    std::vector<aio::Callback> due;
    long now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - t0).count();
    std::printf("advance the clock to %ld ms; pop_due(now):", now_ms);
    queue.pop_due(clock.now(), due);
    for (aio::Callback& callback : due)
        callback();
    std::printf("\n  (%s)\n", note);
    draw_tree(queue);
}

void walk_through() {
    aio::VirtualClock clock;
    TimerQueue queue;
    std::vector<aio::TimerHandle> handles;
    std::printf(
        "push 50, 20, 80, 10, 30, 60, 40, 70, 20 ms (the second 20 comes after the first):\n");
    for (int ms : {50, 20, 80, 10, 30, 60, 40, 70, 20}) {
        handles.push_back(queue.push(t0 + ms * 1ms, [ms] { std::printf(" ran %d ms;", ms); }));
    }
    draw_tree(queue);
    std::printf("cancel 20 ms (the first one) and 60 ms: only marked (x), still in the heap:\n");
    handles[1].cancel();
    handles[5].cancel();
    draw_tree(queue);
    pop_and_run(queue, clock, 25ms, "the cancelled 20x reached the top and was dropped unrun");
    std::printf("next_deadline() = %ld ms\n\n",
                static_cast<long>((*queue.next_deadline() - t0) / 1ms));
    pop_and_run(queue, clock, 20ms, "60x is not due yet: it stays, marked, until it is met");
    pop_and_run(queue, clock, 40ms, "60x was met and dropped between 50 and 70");
}

// The cost of `count` pushes, cancels of every second timer, and pops: ns per operation.
void measure(int count) {
    std::mt19937 random(1);
    std::vector<TimePoint> deadlines(count);
    for (TimePoint& when : deadlines)
        when = t0 + (random() % 1'000'000) * 1us;
    TimerQueue queue;
    std::vector<aio::TimerHandle> handles;
    handles.reserve(count);
    looplab::Stopwatch watch;
    for (TimePoint when : deadlines)
        handles.push_back(queue.push(when, [] {}));
    double push_s = watch.seconds();
    watch.restart();
    for (int i = 0; i < count; i += 2)
        handles[i].cancel();
    double cancel_s = watch.seconds();
    watch.restart();
    std::vector<aio::Callback> out;
    out.reserve(count);
    queue.pop_due(t0 + 1s, out);
    double pop_s = watch.seconds();
    const double ns = 1e9;
    std::printf("  %d pushes        %6.0f ns each\n", count, push_s * ns / count);
    std::printf("  %d cancels       %6.0f ns each (a flag and a counter)\n", count / 2,
                cancel_s * ns / (count / 2));
    std::printf("  %d pops          %6.0f ns each (%zu live + %d cancelled dropped; log n sifts)\n",
                count, pop_s * ns / count, out.size(), count / 2);
    std::printf("  total %d operations in %.2f s\n\n", count * 5 / 2, push_s + cancel_s + pop_s);
}

// What one push costs in entries moved, at n timers: a sorted array shifts everything
// after the insertion point (n/2 on average), a heap swaps once per level at most.
void compare_with_sorted_array(int count) {
    std::mt19937 random(2);
    auto random_deadline = [&] { return t0 + (random() % 1'000'000) * 1us; };
    std::vector<TimePoint> sorted(count);
    std::generate(sorted.begin(), sorted.end(), random_deadline);
    std::sort(sorted.begin(), sorted.end());
    const int probes = 100;
    double shifted = 0;
    for (int i = 0; i < probes; ++i) {
        TimePoint when = random_deadline();
        auto at = std::upper_bound(sorted.begin(), sorted.end(), when);
        shifted += static_cast<double>(sorted.end() - at);
        sorted.insert(at, when);
    }
    int levels = 0;
    while ((1 << levels) <= count)
        ++levels;
    std::printf(
        "  n = %7d   sorted array: %6.0f entries shifted per push   heap: at most %2d swaps\n",
        count, shifted / probes, levels - 1);
}

} // namespace

int main() {
    try {
        std::printf(
            "== Chapter 02: the timer heap (x = cancelled, still in the heap until met)\n\n");
        walk_through();
        std::printf("== The cost: push, cancel every second timer, pop them all\n");
        std::printf("   (this build's optimisation level; fresh memory: page faults included)\n");
        measure(400'000);
        std::printf("== Why a heap: O(log n) push against a sorted list's O(n) insert\n");
        for (int n : {1'000, 10'000, 100'000})
            compare_with_sorted_array(n);
    } catch (const aio::NotImplemented& missing) {
        std::printf("\nThe demo needs %s: finish that exercise first (make check CH=02).\n",
                    missing.exercise().c_str());
        return 1;
    }
    return 0;
}
