// Retry: the backoff sequence (exact, on the virtual clock), the jitter's
// bounds, which errors are retried, cancellation during the backoff sleep.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "http.hpp"
#include "resilience_test_helpers.hpp"

using namespace looplab;
using aio::Coro;
using aio::RetryPolicy;
using Jitter = aio::RetryPolicy::Jitter;

namespace {

RetryPolicy exact(int max_attempts, aio::Duration base, double factor = 2.0) {
    RetryPolicy policy;
    policy.max_attempts = max_attempts;
    policy.base_delay = base;
    policy.factor = factor;
    policy.jitter = Jitter::NONE;
    return policy;
}

long as_ms(aio::Duration d) {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

} // namespace

TEST(Backoff, BadArgumentsAreValueErrors) {
    std::mt19937_64 rng(1);
    RetryPolicy policy;
    EXPECT_THROW(aio::backoff_delay(policy, 0, rng), aio::ValueError) << "attempts count from 1";
    EXPECT_NO_THROW(aio::check_policy(policy)) << "ch12.check_policy: the defaults are fine";
    policy.factor = 0.5;
    EXPECT_THROW(aio::check_policy(policy), aio::ValueError)
        << "ch12.check_policy: a factor below 1 shrinks the pauses: ValueError";
    policy.factor = 1.0;
    EXPECT_NO_THROW(aio::check_policy(policy)) << "ch12.check_policy: factor 1 (constant) is fine";
    policy = RetryPolicy{};
    policy.max_attempts = 0;
    EXPECT_THROW(aio::check_policy(policy), aio::ValueError)
        << "ch12.check_policy: max_attempts below 1 (not even one try): ValueError";
    policy = RetryPolicy{};
    policy.base_delay = -1ms;
    EXPECT_THROW(aio::check_policy(policy), aio::ValueError)
        << "ch12.check_policy: a negative base_delay: ValueError";
    policy = RetryPolicy{};
    policy.max_delay = -1ms;
    EXPECT_THROW(aio::check_policy(policy), aio::ValueError)
        << "ch12.check_policy: a negative max_delay: ValueError";
}

TEST(Backoff, DelaysGrowByTheFactorUpToTheCap) {
    std::mt19937_64 rng(1);
    RetryPolicy policy = exact(10, 100ms);
    policy.max_delay = 1s;
    std::vector<long> delays;
    for (int attempt = 1; attempt <= 6; ++attempt)
        delays.push_back(as_ms(aio::backoff_delay(policy, attempt, rng)));
    EXPECT_EQ(delays, (std::vector<long>{100, 200, 400, 800, 1000, 1000}))
        << "ch12.backoff_delay: base * factor^(attempt-1), capped at max_delay";
    EXPECT_EQ(aio::backoff_delay(policy, 1000, rng), aio::Duration(1s))
        << "ch12.backoff_delay: attempt 1000 gives max_delay (cap before converting: no overflow)";
    policy.factor = 3.0;
    EXPECT_EQ(as_ms(aio::backoff_delay(policy, 3, rng)), 900)
        << "ch12.backoff_delay: factor 3, attempt 3: 100 ms * 3^2";
}

TEST(Backoff, FullAndEqualJitterSpreadOverTheirRanges) {
    std::mt19937_64 rng(2024);
    RetryPolicy policy = exact(10, 100ms);
    policy.jitter = Jitter::FULL; // attempt 3: d = 400 ms
    aio::Duration low = 1h, high{}, sum{};
    for (int i = 0; i < 2000; ++i) {
        aio::Duration d = aio::backoff_delay(policy, 3, rng);
        low = std::min(low, d), high = std::max(high, d), sum += d;
    }
    EXPECT_GE(low, aio::Duration::zero()) << "ch12.backoff_delay: FULL picks in [0, d]";
    EXPECT_LE(high, aio::Duration(400ms)) << "ch12.backoff_delay: FULL never above d";
    EXPECT_LT(low, aio::Duration(40ms)) << "ch12.backoff_delay: FULL reaches down near 0";
    EXPECT_GT(high, aio::Duration(360ms)) << "ch12.backoff_delay: FULL reaches up near d";
    EXPECT_NEAR(as_ms(sum / 2000), 200, 30) << "ch12.backoff_delay: FULL is uniform: mean d/2";
    policy.jitter = Jitter::EQUAL;
    low = 1h, high = {};
    for (int i = 0; i < 2000; ++i) {
        aio::Duration d = aio::backoff_delay(policy, 3, rng);
        low = std::min(low, d), high = std::max(high, d);
    }
    EXPECT_GE(low, aio::Duration(200ms)) << "ch12.backoff_delay: EQUAL picks in [d/2, d]";
    EXPECT_LE(high, aio::Duration(400ms)) << "ch12.backoff_delay: EQUAL never above d";
    EXPECT_LT(low, aio::Duration(220ms)) << "ch12.backoff_delay: EQUAL reaches down near d/2";
    EXPECT_GT(high, aio::Duration(380ms)) << "ch12.backoff_delay: EQUAL reaches up near d";
}

TEST(DefaultRetryOn, ConnectionErrorsAndTimeoutsYesTheRestNo) {
    auto retried = [](auto error) { return aio::default_retry_on(std::make_exception_ptr(error)); };
    EXPECT_TRUE(retried(aio::ConnectionRefusedError("refused")))
        << "ch12.retry_on: a refused connection is worth another try";
    EXPECT_TRUE(retried(aio::ConnectionResetError("reset")))
        << "ch12.retry_on: a reset (any ConnectionError subclass) is worth another try";
    EXPECT_TRUE(retried(aio::TimeoutError("slow"))) << "ch12.retry_on: a timeout is retried";
    EXPECT_TRUE(retried(aio::http::HttpStatusError(503, "503 Service Unavailable")))
        << "ch12.retry_on: a 5xx answer is worth another try";
    EXPECT_TRUE(retried(aio::http::HttpStatusError(429, "429 Too Many Requests")))
        << "ch12.retry_on: 429 Too Many Requests is worth another try (later)";
    EXPECT_FALSE(retried(aio::http::HttpStatusError(404, "404 Not Found")))
        << "ch12.retry_on: a 404 will not change: no retry";
    EXPECT_FALSE(retried(aio::ValueError("bad"))) << "ch12.retry_on: a ValueError is a bug: no";
    EXPECT_FALSE(retried(std::runtime_error("other"))) << "ch12.retry_on: other errors: no";
}

TEST(Retry, AFirstSuccessReturnsAtOnce) {
    VirtualLoop v;
    FlakyService service(v, 0);
    auto call = [&] { return service(); };
    auto task = aio::create_task(v.loop, aio::retry(exact(5, 100ms), call));
    v.settle(1s);
    EXPECT_EQ(outcome_of(task), "ok") << "ch12.retry: the first call succeeds";
    EXPECT_EQ(joined(service.log), "call 1 @0") << "ch12.retry: one call, no pause";
}

TEST(Retry, SleepsTheExactBackoffSequenceBetweenAttempts) {
    VirtualLoop v;
    FlakyService service(v, 3);
    auto call = [&] { return service(); };
    auto task = aio::create_task(v.loop, aio::retry(exact(5, 100ms), call));
    v.settle(10s);
    EXPECT_EQ(outcome_of(task), "ok") << "ch12.retry: the fourth call succeeds";
    EXPECT_EQ(joined(service.log), "call 1 @0, call 2 @100, call 3 @300, call 4 @700")
        << "ch12.retry: after the k-th failure it sleeps backoff_delay(k): 100, 200, 400 ms";
    if (outcome_of(task) == "ok") {
        EXPECT_EQ(task.result(), 42) << "ch12.retry: the successful call's result comes out";
    }
}

TEST(Retry, SeededJitterSleepsTheBackoffDelaysOfThatSeed) {
    VirtualLoop v;
    FlakyService service(v, 4);
    RetryPolicy policy = exact(6, 100ms);
    policy.jitter = Jitter::FULL;
    policy.seed = 7;
    auto call = [&] { return service(); };
    std::vector<aio::TimePoint> starts;
    auto timed = [&]() -> Coro<int> {
        starts.push_back(v.loop.time());
        co_return co_await call();
    };
    auto task = aio::create_task(v.loop, aio::retry(policy, timed));
    v.settle(10s);
    EXPECT_EQ(outcome_of(task), "ok") << "ch12.retry: the fifth call succeeds";
    ASSERT_EQ(starts.size(), 5u) << "ch12.retry: four failures, five calls";
    std::mt19937_64 rng(7); // what retry must draw from: one generator of that seed
    for (int k = 1; k <= 4; ++k)
        EXPECT_EQ(starts[k] - starts[k - 1], aio::backoff_delay(policy, k, rng))
            << "ch12.retry: the pause after failure " << k
            << " is backoff_delay(policy, k, rng) from one mt19937_64 seeded with policy.seed";
}

TEST(Retry, GivesUpAfterMaxAttemptsWithTheLastError) {
    VirtualLoop v;
    FlakyService service(v, 100);
    service.error = [](int call) {
        return std::make_exception_ptr(
            aio::TimeoutError("timed out (call " + std::to_string(call) + ")"));
    };
    auto call = [&] { return service(); };
    auto task = aio::create_task(v.loop, aio::retry(exact(3, 100ms), call));
    v.settle(10s);
    EXPECT_EQ(outcome_of(task), "timed out (call 3)")
        << "ch12.retry: after max_attempts the LAST error comes out, unchanged";
    EXPECT_EQ(service.calls, 3) << "ch12.retry: max_attempts = 3 counts the first try: 3 calls";
    EXPECT_EQ(joined(service.log), "call 1 @0, call 2 @100, call 3 @300")
        << "ch12.retry: no sleep after the last attempt";
}

TEST(Retry, ANonRetryableErrorFailsAtOnce) {
    VirtualLoop v;
    FlakyService service(v, 100);
    service.error = [](int) { return std::make_exception_ptr(aio::ValueError("bad request")); };
    auto call = [&] { return service(); };
    auto task = aio::create_task(v.loop, aio::retry(exact(5, 100ms), call));
    v.settle(10s);
    EXPECT_EQ(outcome_of(task), "bad request") << "ch12.retry: a ValueError is not retried";
    EXPECT_EQ(service.calls, 1) << "ch12.retry: one call only, no backoff";
}

TEST(Retry, RetryOnDecidesAndNeverSeesACancellation) {
    VirtualLoop v;
    int asked = 0;
    RetryPolicy policy = exact(5, 10ms);
    policy.retry_on = [&](std::exception_ptr error) {
        ++asked;
        try {
            std::rethrow_exception(error);
        } catch (const aio::ValueError&) {
            return true;
        } catch (...) {
            return false;
        }
    };
    FlakyService service(v, 2);
    service.error = [](int) { return std::make_exception_ptr(aio::ValueError("again")); };
    auto call = [&] { return service(); };
    auto task = aio::create_task(v.loop, aio::retry(policy, call));
    v.settle(1s);
    EXPECT_EQ(outcome_of(task), "ok") << "ch12.retry: retry_on said yes to ValueError: retried";
    EXPECT_EQ(asked, 2) << "ch12.retry: retry_on is asked once per failure";
    int calls = 0;
    auto cancelled_call = [&]() -> Coro<int> {
        ++calls;
        throw aio::CancelledError("from inside");
        co_return 0;
    };
    asked = 0;
    auto second = aio::create_task(v.loop, aio::retry(policy, cancelled_call));
    v.settle(1s);
    EXPECT_EQ(outcome_of(second), "cancelled") << "ch12.retry: a CancelledError comes out as is";
    EXPECT_EQ(calls, 1) << "ch12.should_retry: a CancelledError is never retried";
    EXPECT_EQ(asked, 0) << "ch12.should_retry: retry_on never sees a CancelledError";
}

TEST(Retry, CancellingDuringTheBackoffSleepEndsAtOnce) {
    VirtualLoop v;
    FlakyService service(v, 100);
    auto call = [&] { return service(); };
    auto task = aio::create_task(v.loop, aio::retry(exact(5, 10s), call));
    std::string ended;
    task.add_done_callback([&](aio::Future<int>) { ended = at(v); });
    v.loop.call_later(1s, [&] { task.cancel(); });
    v.settle(60s);
    EXPECT_EQ(outcome_of(task), "cancelled") << "ch12.retry: the cancel ends the retry";
    EXPECT_EQ(ended, "@1000") << "ch12.retry: at once, in the middle of the 10 s backoff sleep";
    EXPECT_EQ(service.calls, 1) << "ch12.retry: and no further attempt is made";
}

TEST(Retry, AnOverallDeadlineIsATimeoutAroundIt) {
    VirtualLoop v;
    FlakyService service(v, 100);
    auto call = [&] { return service(); };
    auto bounded = [&]() -> Coro<int> {
        co_return co_await aio::timeout(1s, aio::retry(exact(10, 400ms), call));
    };
    auto task = aio::create_task(v.loop, bounded());
    std::string ended;
    task.add_done_callback([&](aio::Future<int>) { ended = at(v); });
    v.settle(60s);
    bool timed_out = false;
    try {
        task.result();
    } catch (const aio::TimeoutError&) {
        timed_out = true;
    } catch (...) {
    }
    EXPECT_TRUE(timed_out) << "ch12.retry: timeout(1s, retry(...)) ends in TimeoutError, got "
                           << outcome_of(task);
    EXPECT_EQ(ended, "@1000") << "ch12.retry: the deadline cuts the backoff sleep at 1 s";
    EXPECT_EQ(joined(service.log), "call 1 @0, call 2 @400")
        << "ch12.retry: calls at 0 and 400 ms, then the 800 ms sleep is cut";
}
