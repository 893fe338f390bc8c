// The circuit breaker's state machine: who may call (admit), and what an
// outcome does to the state (record). The count of failures lives in the
// breaker, not in a call: the source article kept it in a local variable of
// the call, so it was 1 at most and the breaker never opened.
#include <chrono>

#include "circuit_breaker.hpp"
#include "event_loop.hpp"

namespace aio {

std::string to_string(CircuitBreaker::State state) {
    switch (state) {
    case CircuitBreaker::State::CLOSED: return "CLOSED";
    case CircuitBreaker::State::OPEN: return "OPEN";
    case CircuitBreaker::State::HALF_OPEN: return "HALF_OPEN";
    }
    return "?";
}

CircuitBreaker::CircuitBreaker(Options options) : options_(std::move(options)) {
    //@scratch ch12.breaker_options
    //@exercise ch12.breaker_options  Refuse options that cannot work, each with its own message.
    if (options_.failure_threshold < 1)
        throw ValueError("CircuitBreaker: failure_threshold must be >= 1, got " +
                         std::to_string(options_.failure_threshold));
    if (options_.half_open_max < 1)
        throw ValueError("CircuitBreaker: half_open_max must be >= 1 (a probe must be able to "
                         "go), got " +
                         std::to_string(options_.half_open_max));
    if (options_.reset_timeout < Duration::zero())
        throw ValueError("CircuitBreaker: reset_timeout must not be negative");
    //@end
    //@end
}

void CircuitBreaker::move_to(State next) {
    State from = state_;
    state_ = next;
    ++generation_;
    failures_ = 0;
    probes_ = 0;
    if (next == State::OPEN) opened_at_ = get_running_loop().time();
    if (options_.on_change) options_.on_change(from, next);
}

bool CircuitBreaker::is_failure(const std::exception_ptr& error) const {
    if (!error) return false;
    return options_.failure_on ? options_.failure_on(error) : true;
}

CircuitBreaker::Ticket CircuitBreaker::admit() {
    if (state_ == State::CLOSED) return Ticket{generation_, false}; // every call goes
    //@scratch ch12.breaker_admit
    //@exercise ch12.breaker_admit  OPEN or HALF_OPEN: admit a probe, or fail fast with time left.
    if (state_ == State::OPEN) {
        Duration left = opened_at_ + options_.reset_timeout - get_running_loop().time();
        if (left > Duration::zero())
            throw CircuitOpenError("circuit breaker is OPEN: the service failed " +
                                       std::to_string(options_.failure_threshold) +
                                       " times in a row; not calling it for now",
                                   left);
        move_to(State::HALF_OPEN);
    }
    if (probes_ >= options_.half_open_max)
        throw CircuitOpenError("circuit breaker is HALF_OPEN: a probe call is under way",
                               Duration::zero());
    ++probes_;
    return Ticket{generation_, true};
    //@end
    //@end
}

void CircuitBreaker::record(const Ticket& ticket, const std::exception_ptr& error) {
    //@scratch ch12.breaker_record
    //@exercise ch12.breaker_record  Count the outcome under the state the call went in with.
    if (ticket.generation != generation_) return; // admitted under an earlier state
    if (detail::is_cancellation(error)) {
        if (ticket.probe) --probes_; // no verdict: the slot goes back
        return;
    }
    bool failed = is_failure(error);
    if (state_ == State::HALF_OPEN) {
        move_to(failed ? State::OPEN : State::CLOSED);
    } else if (!failed) {
        failures_ = 0;
    } else if (++failures_ >= options_.failure_threshold) {
        move_to(State::OPEN);
    }
    //@end
    //@end
}

} // namespace aio
