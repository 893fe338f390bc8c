// Helpers for the chapter 12 tests: the virtual-clock loop and its log
// (tests/support/virtual_loop.hpp), and calls that fail on cue.
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <ostream>
#include <string>

#include "resilience.hpp"
#include "stream_errors.hpp"
#include "virtual_loop.hpp"

namespace looplab {

// Virtual time in whole milliseconds since the loop started, as "@1200".
inline std::string at(const VirtualLoop& v) {
    return "@" + std::to_string(v.ms());
}

// A service that fails its first `failures` calls with `error`, then answers
// `answer`; it logs every call with its virtual time.
struct FlakyService {
    FlakyService(VirtualLoop& loop, int failing) : v(&loop), failures(failing) {}
    VirtualLoop* v;
    int failures;
    std::function<std::exception_ptr(int call)> error = [](int call) {
        return std::make_exception_ptr(
            aio::ConnectionResetError("connection reset (call " + std::to_string(call) + ")"));
    };
    int answer = 42;
    aio::Duration latency{};
    int calls = 0;
    std::vector<std::string> log;

    aio::Coro<int> operator()() {
        int call = ++calls;
        log.push_back("call " + std::to_string(call) + " " + at(*v));
        if (latency > aio::Duration::zero()) co_await aio::sleep(latency);
        if (call <= failures) std::rethrow_exception(error(call));
        co_return answer;
    }
};

} // namespace looplab

namespace aio {
// gtest prints a state by name ("OPEN"), not as four bytes.
inline void PrintTo(CircuitBreaker::State state, std::ostream* out) {
    *out << to_string(state);
}
} // namespace aio
