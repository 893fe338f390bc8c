// The pauses of retry(): the policy's checks, the exponential backoff with its
// jitter, and which errors are worth another try.
#include <algorithm>
#include <cmath>
#include <string>

#include "http.hpp" // http::HttpStatusError
#include "retry.hpp"
#include "stream_errors.hpp" // ConnectionError

namespace aio {

void check_policy(const RetryPolicy& policy) {
    //@scratch ch12.check_policy
    //@exercise ch12.check_policy  Refuse a policy that cannot work, each with its own message.
    if (policy.max_attempts < 1)
        throw ValueError("RetryPolicy: max_attempts must be >= 1 (the first try counts), got " +
                         std::to_string(policy.max_attempts));
    if (policy.base_delay < Duration::zero() || policy.max_delay < Duration::zero())
        throw ValueError("RetryPolicy: base_delay and max_delay must not be negative");
    if (!(policy.factor >= 1.0)) // NaN too
        throw ValueError("RetryPolicy: factor must be >= 1, got " + std::to_string(policy.factor));
    //@end
    //@end
}

Duration backoff_delay(const RetryPolicy& policy, int attempt, std::mt19937_64& rng) {
    check_policy(policy);
    if (attempt < 1)
        throw ValueError("backoff_delay: attempt counts from 1, got " + std::to_string(attempt));
    //@scratch ch12.backoff_delay
    //@exercise ch12.backoff_delay  The capped exponential pause, then its jitter.
    // In double, capped before the conversion: 2^999 seconds fits no Duration.
    double cap = static_cast<double>(policy.max_delay.count());
    double grown = static_cast<double>(policy.base_delay.count()) *
                   std::pow(policy.factor, static_cast<double>(attempt - 1));
    Duration::rep d = grown < cap ? static_cast<Duration::rep>(grown) : policy.max_delay.count();
    switch (policy.jitter) {
    case RetryPolicy::Jitter::NONE: return Duration(d);
    case RetryPolicy::Jitter::FULL:
        return Duration(std::uniform_int_distribution<Duration::rep>(0, d)(rng));
    case RetryPolicy::Jitter::EQUAL:
        return Duration(std::uniform_int_distribution<Duration::rep>(d - d / 2, d)(rng));
    }
    return Duration(d);
    //@end
    //@end
}

bool default_retry_on(std::exception_ptr error) {
    //@scratch ch12.retry_on
    //@exercise ch12.retry_on  Connection errors, timeouts, 5xx and 429 are worth another try.
    try {
        std::rethrow_exception(error);
    } catch (const ConnectionError&) {
        return true;
    } catch (const TimeoutError&) {
        return true;
    } catch (const http::HttpStatusError& answer) {
        return http::retryable(answer.status); // 5xx or 429: "later", not "never"
    } catch (...) {
        return false;
    }
    //@end
    //@end
}

namespace detail {

std::uint64_t seed_of(const RetryPolicy& policy) {
    if (policy.seed) return *policy.seed;
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

bool should_retry(const RetryPolicy& policy, const std::exception_ptr& error) {
    //@scratch ch12.should_retry
    //@exercise ch12.should_retry  Never after a cancellation; else retry_on, or the default.
    if (is_cancellation(error)) return false; // never retried, never shown to retry_on
    return policy.retry_on ? policy.retry_on(error) : default_retry_on(error);
    //@end
    //@end
}

} // namespace detail

} // namespace aio
