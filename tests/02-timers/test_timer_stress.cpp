// Graded stress test: 100,000 random pushes, cancels and pops against a reference.
#include <algorithm>
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
            ASSERT_TRUE(!next || *next > now) << "ch02.pop_due: a due timer was left in the heap";
        }
    }
    queue.pop_due(TimePoint::max(), out);
    run_all(out);
    EXPECT_EQ(queue.heap_size(), 0u) << "ch02.pop_due: everything is due at TimePoint::max()";
    for (int id = 0; id < count; ++id) {
        int expected = cancelled_while_pending[id] ? 0 : 1;
        ASSERT_EQ(runs[id], expected)
            << "ch02.pop_due: timer " << id
            << (expected ? " must run once"
                         : " was "
                           "cancelled before it was due and must not run");
    }
    EXPECT_TRUE(std::is_sorted(fired_when.begin(), fired_when.end()))
        << "ch02.pop_due: timers must run in deadline order";
}

} // namespace
} // namespace looplab
