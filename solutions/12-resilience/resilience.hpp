// Chapter 12's resilience patterns in one include: retry with backoff and
// jitter, the circuit breaker, and the sliding-window rate limiter.
#pragma once

#include "circuit_breaker.hpp"
#include "rate_limiter.hpp"
#include "retry.hpp"
