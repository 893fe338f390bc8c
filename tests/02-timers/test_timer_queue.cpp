// Graded tests for the timer queue: order, FIFO ties, lazy cancellation, compaction.
#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "clock.hpp"
#include "timers.hpp"

using namespace std::chrono_literals;
using aio::Callback;
using aio::TimePoint;
using aio::TimerHandle;
using aio::TimerQueue;

namespace {

// Fixed times: every test reads the same clock start, never the real time.
const TimePoint t0 = aio::VirtualClock::start_time;

// Runs what pop_due handed out, as the loop's ready queue would.
void run_all(std::vector<Callback>& callbacks) {
    for (Callback& callback : callbacks)
        callback();
    callbacks.clear();
}

// Pushes a timer that records `id` into `fired` when it runs.
TimerHandle push_recording(TimerQueue& queue, TimePoint when, int id, std::vector<int>& fired) {
    return queue.push(when, [&fired, id] { fired.push_back(id); });
}

// Pops and runs everything due at `now`; returns the ids in the order they ran.
std::vector<int> fire_due(TimerQueue& queue, TimePoint now, std::vector<int>& fired) {
    fired.clear();
    std::vector<Callback> out;
    queue.pop_due(now, out);
    run_all(out);
    return fired;
}

} // namespace

TEST(TimerQueue, PopsRandomDeadlinesInSortedOrder) {
    std::mt19937 random(20260223); // fixed seed: the same deadlines on every run
    std::uniform_int_distribution<int> millis(0, 400);
    TimerQueue queue;
    std::vector<std::pair<TimePoint, int>> reference;
    std::vector<int> fired;
    for (int id = 0; id < 2000; ++id) {
        TimePoint when = t0 + millis(random) * 1ms; // 2000 in 401 values: many ties
        push_recording(queue, when, id, fired);
        reference.emplace_back(when, id);
    }
    ASSERT_EQ(queue.size(), 2000u);
    // stable: equal deadlines keep their push order, as (when, seq) demands.
    std::stable_sort(reference.begin(), reference.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });

    std::vector<Callback> out;
    std::size_t returned = 0;
    for (TimePoint now = t0; now <= t0 + 400ms; now += 7ms) { // in slices, as a loop would
        returned += queue.pop_due(now, out);
        ASSERT_EQ(out.size(), returned) << "pop_due must append to `out` and return the count";
        std::optional<TimePoint> next = queue.next_deadline();
        ASSERT_TRUE(!next || *next > now) << "pop_due must pop every timer with when <= now";
    }
    returned += queue.pop_due(t0 + 400ms, out);
    EXPECT_EQ(returned, 2000u);
    EXPECT_EQ(queue.size(), 0u);
    EXPECT_EQ(queue.heap_size(), 0u);
    run_all(out);
    std::vector<int> expected;
    for (const auto& [when, id] : reference)
        expected.push_back(id);
    EXPECT_EQ(fired, expected) << "timers must come out in (when, seq) order: check sift_up, "
                                  "sift_down and the comparison earlier()";
}

TEST(TimerQueue, EqualDeadlinesFireInPushOrder) {
    TimerQueue queue;
    std::vector<int> fired;
    // Interleaved with other deadlines, so the ties get moved around by the swaps.
    const int deadlines_ms[] = {10, 5, 10, 20, 10, 5, 10, 1, 10, 5, 20, 10};
    for (int id = 0; id < 12; ++id)
        push_recording(queue, t0 + deadlines_ms[id] * 1ms, id, fired);
    for (int id = 12; id < 60; ++id)
        push_recording(queue, t0 + 10ms, id, fired);

    std::vector<Callback> out{[] {}}; // something already queued: pop_due appends after it
    EXPECT_EQ(queue.pop_due(t0 + 20ms, out), 60u);
    EXPECT_EQ(out.size(), 61u) << "pop_due appends to `out`; it must not clear it";
    run_all(out);
    std::vector<int> expected = {7, 1, 5, 9, 0, 2, 4, 6, 8, 11};
    for (int id = 12; id < 60; ++id)
        expected.push_back(id);
    expected.push_back(3);
    expected.push_back(10);
    EXPECT_EQ(fired, expected) << "equal deadlines must fire in push order: compare (when, seq), "
                                  "not when alone";
}

TEST(TimerQueue, CancelledTimersAreNeverReturned) {
    std::mt19937 random(7);
    TimerQueue queue;
    std::vector<int> fired;
    std::vector<TimerHandle> handles;
    for (int id = 0; id < 90; ++id) {
        handles.push_back(push_recording(queue, t0 + (random() % 50) * 1ms, id, fired));
    }
    std::vector<bool> cancelled(90, false);
    for (int id = 0; id < 90; id += 3) {
        handles[id].cancel();
        cancelled[id] = true;
    }
    EXPECT_EQ(queue.size(), 60u) << "size() counts live timers only";
    EXPECT_EQ(queue.heap_size(), 90u) << "cancel() only marks: the entries stay until met";
    EXPECT_TRUE(handles[0].cancelled());
    EXPECT_FALSE(handles[1].cancelled());

    std::vector<int> ran = fire_due(queue, t0 + 1s, fired);
    EXPECT_EQ(ran.size(), 60u);
    for (int id : ran)
        EXPECT_FALSE(cancelled[id]) << "timer " << id << " was cancelled but ran";
    EXPECT_EQ(queue.heap_size(), 0u) << "cancelled entries met by pop_due leave the heap";
    EXPECT_EQ(queue.size(), 0u);
}

TEST(TimerQueue, CancelIsIdempotentAndHandleReportsWhen) {
    TimerQueue queue;
    TimerHandle first = queue.push(t0 + 5ms, [] {});
    TimerHandle second = queue.push(t0 + 9ms, [] {});
    TimerHandle copy = second; // a copy is the same timer
    EXPECT_EQ(first.when(), t0 + 5ms);
    EXPECT_EQ(second.when(), t0 + 9ms);
    copy.cancel();
    EXPECT_TRUE(second.cancelled()) << "copies of a handle share one timer";
    second.cancel();
    copy.cancel();
    EXPECT_EQ(queue.size(), 1u) << "cancelling twice must count once";
    EXPECT_EQ(queue.heap_size(), 2u);
    EXPECT_EQ(queue.next_deadline(), t0 + 5ms);
    first.cancel();
    EXPECT_EQ(queue.size(), 0u);
    EXPECT_EQ(queue.next_deadline(), std::nullopt);

    TimerHandle empty; // default-constructed: no timer at all
    empty.cancel();
    EXPECT_FALSE(empty.cancelled());
}

TEST(TimerQueue, CancelAfterFiringChangesNothing) {
    TimerQueue queue;
    std::vector<int> fired;
    TimerHandle early = push_recording(queue, t0 + 1ms, 1, fired);
    push_recording(queue, t0 + 50ms, 2, fired);
    push_recording(queue, t0 + 60ms, 3, fired);

    std::vector<Callback> out;
    ASSERT_EQ(queue.pop_due(t0 + 10ms, out), 1u);
    EXPECT_EQ(queue.size(), 2u);
    EXPECT_EQ(queue.heap_size(), 2u);
    run_all(out);
    early.cancel(); // too late: it already ran
    EXPECT_EQ(queue.size(), 2u) << "a timer that left the heap must not be counted as cancelled "
                                   "(detach it when you pop it)";
    EXPECT_EQ(queue.heap_size(), 2u);
    EXPECT_EQ(fire_due(queue, t0 + 1s, fired), (std::vector<int>{2, 3}));
    EXPECT_EQ(queue.size(), 0u);

    // Popped but not yet run, then cancelled: it does not run, and counts stay put.
    TimerHandle late = push_recording(queue, t0 + 5ms, 4, fired);
    ASSERT_EQ(queue.pop_due(t0 + 5ms, out), 1u);
    late.cancel();
    EXPECT_EQ(queue.size(), 0u);
    EXPECT_EQ(queue.heap_size(), 0u);
    fired.clear();
    run_all(out);
    EXPECT_TRUE(fired.empty()) << "a timer cancelled after pop_due but before it ran must not run";
}

TEST(TimerQueue, CancelByAnEarlierCallbackOfTheSameBatchHolds) {
    TimerQueue queue;
    std::vector<int> fired;
    TimerHandle victim;
    queue.push(t0 + 1ms, [&] {
        fired.push_back(1);
        victim.cancel();
    });
    victim = push_recording(queue, t0 + 2ms, 2, fired);
    push_recording(queue, t0 + 3ms, 3, fired);

    std::vector<Callback> out;
    ASSERT_EQ(queue.pop_due(t0 + 5ms, out), 3u) << "all three were live and due when popped";
    run_all(out);
    EXPECT_EQ(fired, (std::vector<int>{1, 3}))
        << "timer 2 was cancelled by timer 1's callback: wrap each callback so it re-checks its "
           "handle when called (run_unless_cancelled)";
    EXPECT_TRUE(victim.cancelled());
    EXPECT_EQ(queue.size(), 0u);
    EXPECT_EQ(queue.heap_size(), 0u);
}

TEST(TimerQueue, APastDeadlineIsDueAtOnce) {
    aio::VirtualClock clock;
    TimerQueue queue;
    std::vector<int> fired;
    push_recording(queue, clock.now() + 1ns, 3, fired);
    push_recording(queue, clock.now(), 2, fired);
    push_recording(queue, clock.now() - 1h, 1, fired);
    EXPECT_EQ(queue.next_deadline(), clock.now() - 1h);
    EXPECT_EQ(fire_due(queue, clock.now(), fired), (std::vector<int>{1, 2}))
        << "due means when <= now: a deadline in the past, or exactly now, fires at once";
    EXPECT_EQ(queue.next_deadline(), clock.now() + 1ns);
    EXPECT_EQ(fire_due(queue, clock.now(), fired), std::vector<int>{}) << "1 ns early is not due";
}

TEST(TimerQueue, NextDeadlineSkipsCancelledHeads) {
    TimerQueue queue;
    EXPECT_EQ(queue.next_deadline(), std::nullopt) << "an empty queue has no deadline";
    std::vector<TimerHandle> handles;
    for (int ms = 10; ms <= 50; ms += 10)
        handles.push_back(queue.push(t0 + ms * 1ms, [] {}));
    handles[0].cancel(); // 10 ms
    handles[1].cancel(); // 20 ms
    handles[3].cancel(); // 40 ms, not at the top
    EXPECT_EQ(queue.next_deadline(), t0 + 30ms) << "cancelled timers must not set the deadline";
    EXPECT_EQ(queue.heap_size(), 3u) << "next_deadline drops the cancelled entries at the top, "
                                        "and only those";
    EXPECT_EQ(queue.size(), 2u);
    handles[2].cancel();
    handles[4].cancel();
    EXPECT_EQ(queue.next_deadline(), std::nullopt) << "only cancelled timers left: no deadline";
    EXPECT_EQ(queue.heap_size(), 0u);
    EXPECT_EQ(queue.size(), 0u);
}

TEST(TimerQueue, HundredThousandPushesAndPopsStayCorrect) {
    constexpr int count = 100000;
    std::mt19937 random(99);
    TimerQueue queue;
    TimePoint now = t0;
    std::vector<TimePoint> fired_when; // deadlines in the order the timers ran
    std::vector<int> runs(count, 0);
    std::vector<bool> cancelled_while_pending(count, false);
    std::vector<TimerHandle> handles;
    std::vector<Callback> out;
    for (int id = 0; id < count; ++id) {
        TimePoint when = now + (random() % 10000) * 1us; // never in the past: order is global
        handles.push_back(queue.push(when, [&, id, when] {
            fired_when.push_back(when);
            ++runs[id];
        }));
        if (id % 7 == 3) { // cancel a random earlier timer; some already ran (harmless)
            std::size_t victim = random() % handles.size();
            if (runs[victim] == 0) cancelled_while_pending[victim] = true;
            handles[victim].cancel();
        }
        if (id % 10 == 9) {
            now += (random() % 2000) * 1us;
            queue.pop_due(now, out);
            run_all(out);
            std::optional<TimePoint> next = queue.next_deadline();
            ASSERT_TRUE(!next || *next > now) << "a due timer was left in the heap";
        }
    }
    queue.pop_due(TimePoint::max(), out);
    run_all(out);
    EXPECT_EQ(queue.heap_size(), 0u);
    for (int id = 0; id < count; ++id) {
        int expected = cancelled_while_pending[id] ? 0 : 1;
        ASSERT_EQ(runs[id], expected)
            << "timer " << id
            << (expected ? " must run once"
                         : " was "
                           "cancelled before it was due and must not run");
    }
    EXPECT_TRUE(std::is_sorted(fired_when.begin(), fired_when.end()))
        << "timers must run in deadline order";
}
