// The circuit breaker (Python: pybreaker's CircuitBreaker): after a run of
// failures it stops calling a sick service for a while and fails fast, then
// lets a few probe calls through to see whether it has recovered.
//
//   CLOSED --threshold failures in a row--> OPEN --reset_timeout, a call--> HALF_OPEN
//   HALF_OPEN --a probe succeeds--> CLOSED;  HALF_OPEN --a probe fails--> OPEN
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>

#include "retry.hpp" // detail::CoroValue
#include "task.hpp"

namespace aio {

// What a call gets while the breaker is open: no call was made. retry_after:
// how long until a probe may go (zero while HALF_OPEN with its probes out).
struct CircuitOpenError : Error {
    CircuitOpenError(const std::string& message, Duration retry_after_time)
        : Error(message), retry_after(retry_after_time) {}
    Duration retry_after;
};

class CircuitBreaker {
public:
    enum class State { CLOSED, OPEN, HALF_OPEN };
    struct Options {
        int failure_threshold = 5;                          // consecutive failures that open it
        Duration reset_timeout = std::chrono::seconds(60);  // open this long before a probe
        int half_open_max = 1;                              // probes in flight at once
        std::function<bool(std::exception_ptr)> failure_on; // empty: all but CancelledError
        // Told of every change of state (pybreaker's listeners): a demo's timeline.
        std::function<void(State from, State to)> on_change;
    };

    CircuitBreaker() : CircuitBreaker(Options{}) {}
    explicit CircuitBreaker(Options options);       // thresholds below 1: ValueError
    CircuitBreaker(const CircuitBreaker&) = delete; // running calls point at it
    CircuitBreaker& operator=(const CircuitBreaker&) = delete;

    // pybreaker's call_async: fn() makes the call's Coro<T>, made only once
    // the breaker let the call in. CircuitOpenError when it does not.
    template <class F>
    auto call(F fn) -> std::invoke_result_t<F&>;

    State state() const { return state_; }     // OPEN until a call after reset_timeout
    int failures() const { return failures_; } // consecutive, while CLOSED

private:
    // A call's admission: under which state (generation) it went in, and
    // whether it holds one of HALF_OPEN's probe slots.
    struct Ticket {
        std::uint64_t generation;
        bool probe;
    };
    Ticket admit(); // CircuitOpenError when the call may not go
    void record(const Ticket& ticket, const std::exception_ptr& error); // null: success
    bool is_failure(const std::exception_ptr& error) const;
    void move_to(State next); // a new generation: older calls' outcomes are ignored

    Options options_;
    State state_ = State::CLOSED;
    int failures_ = 0;
    int probes_ = 0;               // probes in flight, while HALF_OPEN
    TimePoint opened_at_{};        // on the loop's clock, while OPEN
    std::uint64_t generation_ = 0; // one more at every change of state
};

std::string to_string(CircuitBreaker::State state); // "CLOSED", "OPEN", "HALF_OPEN"

template <class F>
auto CircuitBreaker::call(F fn) -> std::invoke_result_t<F&> {
    using T = typename detail::CoroValue<std::invoke_result_t<F&>>::type;
    Ticket ticket = admit();
    std::optional<detail::FutureValue<T>> value;
    std::exception_ptr error;
    try {
        if constexpr (std::is_void_v<T>) {
            co_await fn();
            value.emplace();
        } else {
            value.emplace(co_await fn());
        }
    } catch (...) {
        error = std::current_exception();
    }
    record(ticket, error);
    if (error) std::rethrow_exception(error);
    if constexpr (!std::is_void_v<T>) co_return std::move(*value);
}

} // namespace aio
