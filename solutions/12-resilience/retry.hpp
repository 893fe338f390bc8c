// Retry with exponential backoff and jitter (Python: tenacity's
// wait_exponential and wait_random_exponential; AWS's "Exponential Backoff
// and Jitter"). A failed call is tried again after a pause that doubles each
// time, capped, and randomised so that many clients do not retry in step.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <random>
#include <type_traits>
#include <utility>

#include "task.hpp"
#include "timeouts.hpp" // detail::is_cancellation

namespace aio {

// The source articles' AsyncRetryHandler, as a value.
struct RetryPolicy {
    int max_attempts = 4; // the first try included (the articles' max_retries = 3)
    Duration base_delay = std::chrono::seconds(1);
    Duration max_delay = std::chrono::seconds(60);
    double factor = 2.0;
    // AWS's names: NONE sleeps d, FULL a uniform pick in [0, d], EQUAL in [d/2, d].
    enum class Jitter { NONE, FULL, EQUAL } jitter = Jitter::FULL;
    std::function<bool(std::exception_ptr)> retry_on; // empty: default_retry_on
    // nullopt: std::random_device. A fixed default seed would make every
    // process draw the same pauses and retry in step: the herd jitter breaks.
    std::optional<std::uint64_t> seed;
};

// Worth another try: a ConnectionError (any subclass), a TimeoutError, and an
// HTTP answer that says "later" (http::HttpStatusError with a 5xx or 429).
// Anything else (a 404, a ValueError, a bug) fails at once.
bool default_retry_on(std::exception_ptr error);

// The pause after the attempt-th failure (attempt 1, 2, ...):
// d = min(max_delay, base_delay * factor^(attempt - 1)), then the jitter.
// ValueError for attempt < 1 or a policy check_policy refuses.
Duration backoff_delay(const RetryPolicy& policy, int attempt, std::mt19937_64& rng);

// ValueError for max_attempts < 1, a negative delay, or factor < 1.
void check_policy(const RetryPolicy& policy);

namespace detail {

// Coro<T> -> T: what a call factory's coroutine produces.
template <class C>
struct CoroValue;
template <class T>
struct CoroValue<Coro<T>> {
    using type = T;
};

std::uint64_t seed_of(const RetryPolicy& policy); // the seed, or a fresh random one

// Whether the policy tries again after `error` (never after a cancellation:
// retry_on does not even see one).
bool should_retry(const RetryPolicy& policy, const std::exception_ptr& error);

} // namespace detail

// tenacity's AsyncRetrying: calls call() (a fresh Coro<T> per attempt) until
// it succeeds, max_attempts ran, or an error is not worth retrying; between
// attempts it sleeps backoff_delay(policy, k, rng) after the k-th failure,
// one mt19937_64 per retry() call. The last error comes out unchanged. A
// CancelledError is never retried and ends a backoff sleep at once. For an
// overall deadline, wrap it: timeout(10s, retry(policy, call)).
template <class F>
auto retry(RetryPolicy policy, F call) -> std::invoke_result_t<F&> {
    // [[maybe_unused]]: the lesson's stub of the body below does not use it.
    using T [[maybe_unused]] = typename detail::CoroValue<std::invoke_result_t<F&>>::type;
    check_policy(policy);
    //@scratch ch12.retry
    //@exercise ch12.retry  Try, and on a failure worth retrying sleep the backoff and try again.
    std::mt19937_64 rng(detail::seed_of(policy)); // one per call, as the tests expect
    for (int attempt = 1;; ++attempt) {
        std::exception_ptr error;
        try {
            if constexpr (std::is_void_v<T>) {
                co_await call();
                co_return;
            } else {
                co_return co_await call();
            }
        } catch (...) {
            error = std::current_exception(); // no co_await inside a catch block
        }
        if (attempt >= policy.max_attempts || !detail::should_retry(policy, error))
            std::rethrow_exception(error);
        co_await sleep(backoff_delay(policy, attempt, rng));
    }
    //@end
    //@end
}

} // namespace aio
