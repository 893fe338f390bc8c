// The sliding-window rate limiter on the virtual clock: exact grant times,
// the window's edge, FIFO, no polling, cancelled waiters.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>

#include "resilience_test_helpers.hpp"

using namespace looplab;
using aio::Coro;
using aio::RateLimiter;

// Each test declares its limiter before its loop, so the limiter outlives the
// loop: a task that a lost wake-up leaves pending is abandoned when the loop
// closes, and its frame then leaves the limiter's line. The test fails with its
// message instead of crashing on a limiter already gone.

namespace {

// Acquires once and logs "name @ms" when granted.
Coro<void> take(RateLimiter& limiter, Log& log, std::string name) {
    co_await limiter.acquire();
    log.add(name);
}

Coro<void> take_later(RateLimiter& limiter, Log& log, std::string name, aio::Duration delay) {
    co_await aio::sleep(delay);
    co_await limiter.acquire();
    log.add(name);
}

} // namespace

TEST(RateLimiter, BadArgumentsAreValueErrors) {
    EXPECT_THROW(RateLimiter(0, 1s), aio::ValueError) << "rate 0 is refused";
    EXPECT_THROW(RateLimiter(1, 0s), aio::ValueError) << "a period of zero is refused";
    EXPECT_EQ(RateLimiter(3, 1s).available(), 3u)
        << "ch12.limiter_available: before any acquire, all rate grants are available";
}

TEST(RateLimiter, GrantsUpToRateAtOnceAndCountsThemOut) {
    RateLimiter limiter(3, 1s);
    VirtualLoop v;
    Log log;
    log.clock = &v;
    std::vector<aio::Task<void>> tasks;
    for (std::string name : {"a", "b"})
        tasks.push_back(aio::create_task(v.loop, take(limiter, log, name)));
    tasks.push_back(aio::create_task(v.loop, take_later(limiter, log, "c", 400ms)));
    v.settle(500ms);
    EXPECT_EQ(joined(log.lines), "a @0, b @0, c @400")
        << "ch12.limiter_acquire: below the rate an acquire is granted at once";
    EXPECT_EQ(limiter.available(), 0u) << "ch12.limiter_acquire: three grants in the window";
    v.settle(500ms);
    EXPECT_EQ(limiter.available(), 2u)
        << "ch12.limiter_acquire: at 1000 ms the two grants of 0 ms have left the window";
    auto d = aio::create_task(v.loop, take(limiter, log, "d"));
    v.settle(1ms);
    EXPECT_EQ(joined(log.lines), "a @0, b @0, c @400, d @1000")
        << "ch12.limiter_acquire: room again: granted at once";
}

TEST(RateLimiter, GrantsRateAtOnceThenOneForEachGrantThatAgesOut) {
    RateLimiter limiter(3, 1s);
    VirtualLoop v;
    Log log;
    log.clock = &v;
    std::vector<aio::Task<void>> tasks;
    for (std::string name : {"a", "b", "c", "d", "e", "f", "g"})
        tasks.push_back(aio::create_task(v.loop, take(limiter, log, name)));
    v.settle(5s);
    EXPECT_EQ(joined(log.lines), "a @0, b @0, c @0, d @1000, e @1000, f @1000, g @2000")
        << "ch12.limiter_acquire: 3 per second: three at once, the rest as grants age out "
           "(ch12.limiter_grant wakes them at exactly t + period)";
}

TEST(RateLimiter, AGrantLeavesTheWindowAtExactlyTPlusPeriod) {
    RateLimiter limiter(2, 1s);
    VirtualLoop v;
    Log log;
    log.clock = &v;
    auto a = aio::create_task(v.loop, take(limiter, log, "a"));
    auto b = aio::create_task(v.loop, take_later(limiter, log, "b", 300ms));
    auto c = aio::create_task(v.loop, take_later(limiter, log, "c", 500ms));
    v.settle(600ms);
    EXPECT_EQ(limiter.available(), 0u) << "ch12.limiter_available: two grants in the window";
    v.settle(399ms); // 999 ms
    EXPECT_EQ(joined(log.lines), "a @0, b @300")
        << "ch12.limiter_grant: at 999 ms the grant of 0 ms is still in the window";
    v.settle(1ms); // 1000 ms
    EXPECT_EQ(joined(log.lines), "a @0, b @300, c @1000")
        << "ch12.limiter_grant: the grant of 0 ms leaves at exactly 1000 ms: c goes then";
    v.settle(300ms); // 1300 ms
    EXPECT_EQ(limiter.available(), 1u)
        << "ch12.limiter_available: at 1300 ms b's grant (300 ms) has left; c's is in";
}

TEST(RateLimiter, NobodyOvertakesAWaiter) {
    RateLimiter limiter(1, 100ms);
    VirtualLoop v;
    Log log;
    log.clock = &v;
    auto a = aio::create_task(v.loop, take(limiter, log, "a"));
    auto b = aio::create_task(v.loop, take_later(limiter, log, "b", 10ms));
    auto c = aio::create_task(v.loop, take_later(limiter, log, "c", 100ms)); // when a ages out
    v.settle(1s);
    EXPECT_EQ(joined(log.lines), "a @0, b @100, c @200")
        << "ch12.limiter_acquire: c arrives at 100 ms as a's grant ages out, but b waited "
           "first: FIFO, no queue jumping";
}

TEST(RateLimiter, NoWindowEverHoldsMoreThanRate) {
    RateLimiter limiter(5, 1s);
    VirtualLoop v;
    Log log;
    log.clock = &v;
    std::mt19937_64 rng(12);
    std::vector<aio::Task<void>> tasks;
    std::vector<long> arrivals;
    for (int i = 0; i < 60; ++i) {
        long ms = static_cast<long>(rng() % 6000);
        arrivals.push_back(ms);
        tasks.push_back(aio::create_task(
            v.loop, take_later(limiter, log, std::to_string(i), std::chrono::milliseconds(ms))));
    }
    v.settle(30s);
    ASSERT_EQ(log.lines.size(), 60u) << "ch12.limiter_grant: every waiter is granted in the end";
    std::vector<long> grants;
    for (const std::string& line : log.lines)
        grants.push_back(std::stol(line.substr(line.find('@') + 1)));
    for (long start : grants) {
        long in_window = std::count_if(grants.begin(), grants.end(),
                                       [&](long g) { return g >= start && g < start + 1000; });
        EXPECT_LE(in_window, 5) << "ch12.limiter_acquire: window [" << start << ", " << start + 1000
                                << ") holds " << in_window << " grants, rate 5";
    }
    // FIFO: granted in order of arrival (equal arrivals in any order).
    std::vector<long> arrival_order;
    for (const std::string& line : log.lines)
        arrival_order.push_back(arrivals[std::stoul(line.substr(0, line.find(' ')))]);
    EXPECT_TRUE(std::is_sorted(arrival_order.begin(), arrival_order.end()))
        << "ch12.limiter_acquire: grants come in arrival order";
}

TEST(RateLimiter, OneTimerForAllWaitersNoPolling) {
    RateLimiter limiter(1, 10s);
    VirtualLoop v;
    Log log;
    log.clock = &v;
    std::size_t passes = 0;
    v.loop.set_tracer([&](const aio::IterationTrace&) { ++passes; });
    std::vector<aio::Task<void>> tasks;
    for (int i = 0; i < 10; ++i)
        tasks.push_back(aio::create_task(v.loop, take(limiter, log, std::to_string(i))));
    v.settle(100s);
    v.loop.set_tracer(nullptr);
    EXPECT_EQ(log.lines.size(), 10u) << "ch12.limiter_grant: ten grants, one every 10 s";
    EXPECT_EQ(log.lines.back(), "9 @90000") << "ch12.limiter_grant: the last at 90 s";
    EXPECT_LE(passes, 60u) << "ch12.limiter_grant: " << passes
                           << " loop passes for 10 grants 10 s apart: a waiter must be woken "
                              "by a timer at the grant's expiry, not by polling";
}

TEST(RateLimiter, ACancelledWaiterLeavesNoHole) {
    RateLimiter limiter(1, 1s);
    VirtualLoop v;
    Log log;
    log.clock = &v;
    auto a = aio::create_task(v.loop, take(limiter, log, "a"));
    auto b = aio::create_task(v.loop, take(limiter, log, "b"));
    auto c = aio::create_task(v.loop, take(limiter, log, "c"));
    v.loop.call_later(500ms, [&] { b.cancel(); });
    v.settle(5s);
    EXPECT_EQ(outcome_of(b), "cancelled") << "ch12.limiter_acquire: b was cancelled waiting";
    EXPECT_EQ(joined(log.lines), "a @0, c @1000")
        << "ch12.limiter_grant: b's place is skipped: c gets the grant at 1000 ms, not 2000";
}

TEST(RateLimiter, AWokenThenCancelledWaiterPassesItsGrantOn) {
    RateLimiter limiter(1, 1s);
    VirtualLoop v;
    Log log;
    log.clock = &v;
    auto a = aio::create_task(v.loop, take(limiter, log, "a"));
    auto b = aio::create_task(v.loop, take(limiter, log, "b"));
    auto c = aio::create_task(v.loop, take(limiter, log, "c"));
    v.settle(1ms);
    // At 1000 ms the limiter's timer grants b; this timer, due at the same
    // time and set later, runs right after it: b is cancelled before it runs.
    v.loop.call_later(999ms, [&] { b.cancel(); });
    v.settle(5s);
    EXPECT_EQ(outcome_of(b), "cancelled") << "ch12.limiter_acquire: b ends cancelled";
    EXPECT_EQ(joined(log.lines), "a @0, c @1000")
        << "ch12.limiter_take_back: the grant b never used is taken back and goes on to c at "
           "once (ch12.limiter_acquire calls take_back)";
}

TEST(RateLimiter, GuardIsTheAsyncWithAndAvailableCountsTheWindow) {
    RateLimiter limiter(3, 1s);
    VirtualLoop v;
    std::vector<std::size_t> seen;
    auto body = [&]() -> Coro<void> {
        {
            aio::Guard held = co_await limiter.guard();
            seen.push_back(limiter.available());
        } // nothing given back: the grant ages out
        seen.push_back(limiter.available());
        co_await limiter.acquire();
        seen.push_back(limiter.available());
        co_await aio::sleep(1s);
        seen.push_back(limiter.available());
    };
    auto task = aio::create_task(v.loop, body());
    v.settle(2s);
    EXPECT_EQ(outcome_of(task), "ok") << "ch12.limiter_acquire: guard() acquires";
    EXPECT_EQ(seen, (std::vector<std::size_t>{2, 2, 1, 3}))
        << "ch12.limiter_available: available() is rate minus the grants of the last period; "
           "leaving the guard's block gives nothing back";
}
