// The vocabulary every chapter shares: clock types, the callback type and the
// error family (asyncio: exceptions.py and the built-in exceptions it uses).
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>

namespace aio {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;

// Every kit error derives from Error, so `catch (const aio::Error&)` catches
// what the kit throws on purpose and nothing else.
struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// asyncio.CancelledError is a BaseException, so `except Exception` does not
// swallow a cancellation. The C++ mirror: CancelledError is not a
// std::exception, so `catch (const std::exception&)` lets it through.
class CancelledError {
public:
    explicit CancelledError(std::string message = {}) : message_(std::move(message)) {}
    const char* what() const noexcept { return message_.c_str(); }
    const std::string& message() const noexcept { return message_; }

private:
    std::string message_;
};

// One line an error, as asyncio's own list of exceptions reads.
// clang-format off
struct InvalidStateError : Error { using Error::Error; };  // asyncio.InvalidStateError
struct TimeoutError : Error { using Error::Error; };       // TimeoutError
struct RuntimeError : Error { using Error::Error; };       // loop misuse: "Event loop is closed"
struct ValueError : Error { using Error::Error; };
struct KeyError : Error { using Error::Error; };
// clang-format on

// Thrown by the TODO stubs of lessons/. what() reads "not implemented: <id>";
// the message also goes to stderr at once, so the grader can name the exercise
// even when a loop's exception handler swallows the exception.
struct NotImplemented : Error {
    explicit NotImplemented(const std::string& exercise)
        : Error("not implemented: " + exercise), exercise_(exercise) {
        std::fprintf(stderr, "looplab: not implemented: %s (a TODO in lessons/)\n",
                     exercise.c_str());
    }
    const std::string& exercise() const noexcept { return exercise_; }

private:
    std::string exercise_;
};

namespace detail {
// The stub for code that must not throw (destructors, noexcept functions):
// say which exercise is missing, then stop the test process.
[[noreturn]] inline void not_implemented_abort(const char* exercise) {
    std::fprintf(stderr, "looplab: not implemented: %s (a TODO in lessons/)\n", exercise);
    std::abort();
}
} // namespace detail

} // namespace aio

// Callback, what the loop runs, has a file of its own: chapter 14's fast loop
// replaces that file. Included last, since the replacement uses the errors
// above, and with <>: a "" include looks beside this file first, and would
// never see the replacement that LOOP=fast puts first on the include path.
#include <callback.hpp>
