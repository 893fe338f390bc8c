// Graded tests for the timer queue's public face: push, cancel, next_deadline,
// pop_due: order, FIFO ties, lazy cancellation.
#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "timer_test_hook.hpp"

using aio::Callback;
using aio::TimePoint;
using aio::TimerHandle;
using aio::TimerQueue;

namespace looplab {
namespace {

TEST(TimerQueue, PushKeepsTheEarliestOnTop) {
    std::mt19937 random(17);
    TimerQueue queue;
    std::vector<TimerHandle> handles;
    TimePoint earliest = TimePoint::max();
    for (int i = 0; i < 200; ++i) {
        TimePoint when = t0 + (random() % 50) * 1ms;
        earliest = std::min(earliest, when);
        handles.push_back(queue.push(when, [] {}));
        ASSERT_EQ(handles.back().when(), when) << "ch02.push: the handle reports its deadline";
        ASSERT_EQ(queue.size(), std::size_t(i + 1)) << "ch02.push: each push adds one live timer";
        ASSERT_EQ(queue.heap_size(), std::size_t(i + 1)) << "ch02.push: and one heap entry";
        ASSERT_EQ(queue.entries().front().when, earliest)
            << "ch02.push: the earliest deadline must sit at index 0 after every push";
        ASSERT_TRUE(is_heap(queue.entries()))
            << "ch02.push: append, then sift_up the new last entry";
    }
    for (std::size_t i = 1; i < queue.entries().size(); ++i)
        ASSERT_NE(queue.entries()[i].seq, queue.entries()[0].seq)
            << "ch02.push: every push takes the next seq number (next_seq_++)";
    EXPECT_FALSE(handles.front().cancelled()) << "ch02.push: a new timer is not cancelled";
}

TEST(TimerQueue, PushRefusesAnEmptyCallback) {
    TimerQueue queue;
    queue.push(t0 + 1ms, [] {});
    EXPECT_THROW(queue.push(t0, Callback{}), aio::ValueError)
        << "ch02.push: an empty callback would fail much later, far from the mistake: throw "
           "aio::ValueError at once";
    EXPECT_EQ(queue.heap_size(), 1u) << "ch02.push: a refused push leaves the queue unchanged";
    EXPECT_EQ(queue.entries().front().when, t0 + 1ms)
        << "ch02.push: a refused push leaves the queue unchanged";
}

TEST(TimerQueue, CancelMarksOnceAndCountsWhileQueued) {
    TimerQueue queue;
    TimerHandle first = queue.push(t0 + 5ms, [] {});
    TimerHandle second = queue.push(t0 + 9ms, [] {});
    TimerHandle copy = second; // a copy is the same timer
    copy.cancel();
    EXPECT_TRUE(second.cancelled()) << "ch02.cancel: copies of a handle share one timer";
    EXPECT_FALSE(first.cancelled()) << "ch02.cancel: cancelling one timer leaves the others";
    second.cancel();
    copy.cancel();
    EXPECT_EQ(queue.size(), 1u) << "ch02.cancel: cancelling twice must count once";
    EXPECT_EQ(queue.heap_size(), 2u) << "ch02.cancel: cancel() only marks; the entry stays";
    EXPECT_EQ(second.when(), t0 + 9ms) << "ch02.cancel: a cancelled handle keeps its deadline";

    auto owner = std::make_shared<int>(7); // the callback's capture
    std::weak_ptr<int> watch = owner;
    TimerHandle holder = queue.push(t0 + 3ms, [owner] {});
    owner.reset();
    holder.cancel();
    EXPECT_TRUE(watch.expired())
        << "ch02.cancel: drop the callback at once (its captures may hold the handle's owner)";

    TimerHandle empty; // default-constructed: no timer at all
    empty.cancel();
    EXPECT_FALSE(empty.cancelled()) << "ch02.cancel: an empty handle cancels nothing";
    {
        TimerQueue gone;
        empty = gone.push(t0, [] {});
    }
    empty.cancel(); // its queue is gone: nothing to count
    EXPECT_TRUE(empty.cancelled())
        << "ch02.cancel: a handle outliving its queue still cancels (and touches no queue)";
}

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
    ASSERT_EQ(queue.size(), 2000u) << "ch02.push: 2000 pushes, 2000 live timers";
    // stable: equal deadlines keep their push order, as (when, seq) demands.
    std::stable_sort(reference.begin(), reference.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });

    std::vector<Callback> out;
    std::size_t returned = 0;
    for (TimePoint now = t0; now <= t0 + 400ms; now += 7ms) { // in slices, as a loop would
        returned += queue.pop_due(now, out);
        ASSERT_EQ(out.size(), returned)
            << "ch02.pop_due: append to `out` and return how many you appended";
        std::optional<TimePoint> next = queue.next_deadline();
        ASSERT_TRUE(!next || *next > now)
            << "ch02.pop_due: pop every timer with when <= now, not only the first";
    }
    returned += queue.pop_due(t0 + 400ms, out);
    EXPECT_EQ(returned, 2000u) << "ch02.pop_due: every timer comes out once";
    EXPECT_EQ(queue.heap_size(), 0u) << "ch02.pop_due: the heap is empty after the last slice";
    run_all(out);
    std::vector<int> expected;
    for (const auto& [when, id] : reference)
        expected.push_back(id);
    EXPECT_EQ(fired, expected) << "ch02.pop_due: timers must come out in (when, seq) order "
                                  "(pop_top from the top, one at a time)";
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

    std::vector<Callback> out; // something already queued: pop_due appends after it
    out.emplace_back([] {});   // (emplaced: on chapter 14's fast loop a Callback is move-only)
    EXPECT_EQ(queue.pop_due(t0 + 20ms, out), 60u) << "ch02.pop_due: all 60 are due at 20 ms";
    EXPECT_EQ(out.size(), 61u) << "ch02.pop_due: append to `out`; never clear it";
    run_all(out);
    std::vector<int> expected = {7, 1, 5, 9, 0, 2, 4, 6, 8, 11};
    for (int id = 12; id < 60; ++id)
        expected.push_back(id);
    expected.push_back(3);
    expected.push_back(10);
    EXPECT_EQ(fired, expected) << "ch02.pop_due: equal deadlines must fire in push order "
                                  "(earlier() compares (when, seq))";
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
    ASSERT_EQ(queue.size(), 60u) << "ch02.cancel: size() counts live timers only";

    std::vector<Callback> out;
    EXPECT_EQ(queue.pop_due(t0 + 1s, out), 60u)
        << "ch02.pop_due: it returns how many it handed out: the 60 live timers";
    EXPECT_EQ(out.size(), 60u)
        << "ch02.pop_due: a cancelled timer popped from the heap is not handed out";
    run_all(out);
    std::vector<int> ran = fired;
    EXPECT_EQ(ran.size(), 60u) << "ch02.pop_due: the 60 live timers run, the 30 cancelled do not";
    for (int id : ran)
        EXPECT_FALSE(cancelled[id]) << "ch02.pop_due: timer " << id << " was cancelled but ran";
    EXPECT_EQ(queue.heap_size(), 0u) << "ch02.pop_due: cancelled entries met leave the heap";
    EXPECT_EQ(queue.size(), 0u) << "ch02.pop_due: no live timer is left";
}

TEST(TimerQueue, CancelAfterFiringChangesNothing) {
    TimerQueue queue;
    std::vector<int> fired;
    TimerHandle early = push_recording(queue, t0 + 1ms, 1, fired);
    push_recording(queue, t0 + 50ms, 2, fired);
    push_recording(queue, t0 + 60ms, 3, fired);

    std::vector<Callback> out;
    ASSERT_EQ(queue.pop_due(t0 + 10ms, out), 1u) << "ch02.pop_due: only the 1 ms timer is due";
    EXPECT_EQ(queue.heap_size(), 2u) << "ch02.pop_due: the due timer left the heap";
    run_all(out);
    early.cancel(); // too late: it already ran
    EXPECT_EQ(queue.size(), 2u) << "ch02.pop_due: a timer that left the heap must not be counted "
                                   "as cancelled (pop_top detaches it)";
    EXPECT_EQ(fire_due(queue, t0 + 1s, fired), (std::vector<int>{2, 3}))
        << "ch02.pop_due: the two later timers still run, in order";

    // Popped but not yet run, then cancelled: it does not run, and counts stay put.
    TimerHandle late = push_recording(queue, t0 + 5ms, 4, fired);
    ASSERT_EQ(queue.pop_due(t0 + 5ms, out), 1u) << "ch02.pop_due: when == now is due";
    late.cancel();
    EXPECT_EQ(queue.size(), 0u) << "ch02.pop_due: a popped timer's cancel changes no count";
    fired.clear();
    run_all(out);
    EXPECT_TRUE(fired.empty()) << "ch02.pop_due: a timer cancelled after pop_due but before it ran "
                                  "must not run: the handed-out callback checks again";
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
    ASSERT_EQ(queue.pop_due(t0 + 5ms, out), 3u) << "ch02.pop_due: all three were live and due";
    run_all(out);
    EXPECT_EQ(fired, (std::vector<int>{1, 3}))
        << "ch02.pop_due: timer 2 was cancelled by timer 1's callback: hand out a wrapper that "
           "checks the timer's cancelled flag again when it is called";
    EXPECT_EQ(queue.size(), 0u) << "ch02.pop_due: a popped timer's cancel changes no count";
}

// Reached without captures: a callback destroyed while it runs must not be read from.
bool guard_destroyed = false;
bool destroyed_while_running = false;
TimerHandle* own_handle = nullptr;
struct Guard {
    ~Guard() { guard_destroyed = true; }
};

TEST(TimerQueue, ACallbackMayCancelItsOwnHandleWhileItRuns) {
    guard_destroyed = false;
    destroyed_while_running = false;
    TimerQueue queue;
    auto guard = std::make_shared<Guard>();
    TimerHandle handle = queue.push(t0, [guard] {
        own_handle->cancel(); // drops the state's callback: this very function
        destroyed_while_running = guard_destroyed;
    });
    own_handle = &handle;
    guard.reset(); // the callback's capture is the guard's last owner now
    std::vector<Callback> out;
    ASSERT_EQ(queue.pop_due(t0, out), 1u) << "ch02.pop_due: the timer is due";
    ASSERT_EQ(out.size(), 1u) << "ch02.pop_due: one callable per due timer";
    out[0]();
    EXPECT_FALSE(destroyed_while_running)
        << "ch02.pop_due: the callback cancelled its own handle while it ran, and that "
           "destroyed it mid-run (its captures died): move the callback out of the state "
           "before calling it";
    EXPECT_TRUE(handle.cancelled()) << "ch02.cancel: the handle says it was cancelled";
    out.clear();
    EXPECT_TRUE(guard_destroyed) << "ch02.pop_due: once run and dropped, the callback is gone";
    own_handle = nullptr;
}

TEST(TimerQueue, PopDueAppendsToWhatTheLoopCollected) {
    TimerQueue queue;
    std::vector<int> fired;
    push_recording(queue, t0 + 2ms, 2, fired);
    push_recording(queue, t0 + 1ms, 1, fired);
    std::vector<Callback> out;
    out.push_back([&] { fired.push_back(0); }); // already collected by the loop
    ASSERT_EQ(queue.pop_due(t0 + 5ms, out), 2u) << "ch02.pop_due: two live timers were due";
    ASSERT_EQ(out.size(), 3u) << "ch02.pop_due: append to `out`, never clear it";
    run_all(out);
    EXPECT_EQ(fired, (std::vector<int>{0, 1, 2}))
        << "ch02.pop_due: what `out` held stays first, then the due timers in deadline order";
}

TEST(TimerQueue, APastDeadlineIsDueAtOnce) {
    aio::VirtualClock clock;
    TimerQueue queue;
    std::vector<int> fired;
    push_recording(queue, clock.now() + 1ns, 3, fired);
    push_recording(queue, clock.now(), 2, fired);
    push_recording(queue, clock.now() - 1h, 1, fired);
    EXPECT_EQ(queue.next_deadline(), clock.now() - 1h)
        << "ch02.next_deadline: a deadline in the past is still the earliest";
    EXPECT_EQ(fire_due(queue, clock.now(), fired), (std::vector<int>{1, 2}))
        << "ch02.pop_due: due means when <= now: a past deadline, or exactly now, "
           "fires at once";
    EXPECT_EQ(queue.next_deadline(), clock.now() + 1ns) << "ch02.pop_due: the 1 ns timer stays";
    EXPECT_EQ(fire_due(queue, clock.now(), fired), std::vector<int>{})
        << "ch02.pop_due: 1 ns early is not due";
}

TEST(TimerQueue, NextDeadlineSkipsCancelledHeads) {
    TimerQueue queue;
    EXPECT_EQ(queue.next_deadline(), std::nullopt)
        << "ch02.next_deadline: an empty queue has no deadline";
    std::vector<TimerHandle> handles;
    for (int ms = 10; ms <= 50; ms += 10)
        handles.push_back(queue.push(t0 + ms * 1ms, [] {}));
    handles[0].cancel(); // 10 ms
    handles[1].cancel(); // 20 ms
    handles[3].cancel(); // 40 ms, not at the top
    EXPECT_EQ(queue.next_deadline(), t0 + 30ms)
        << "ch02.next_deadline: cancelled timers must not set the deadline";
    EXPECT_EQ(queue.heap_size(), 3u)
        << "ch02.next_deadline: drop the cancelled entries at the top, "
           "and only those";
    EXPECT_EQ(queue.size(), 2u) << "ch02.next_deadline: dropping cancelled tops keeps the count";
    handles[2].cancel();
    handles[4].cancel();
    EXPECT_EQ(queue.next_deadline(), std::nullopt)
        << "ch02.next_deadline: only cancelled timers left: no deadline";
    EXPECT_EQ(queue.heap_size(), 0u) << "ch02.next_deadline: every cancelled top is dropped";
}

} // namespace
} // namespace looplab
