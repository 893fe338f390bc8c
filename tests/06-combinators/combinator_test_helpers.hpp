// Helpers for the chapter 06 tests: a loop on the virtual clock, a bounded
// run that turns a hang into a failure, a recorder of the loop's reports, and
// small coroutines the tests combine.
#pragma once

#include <chrono>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "clock.hpp"
#include "combinators.hpp"
#include "event_loop.hpp"
#include "task.hpp"

namespace looplab {

using namespace std::chrono_literals;

// A loop on its own VirtualClock: sleeps take no real time and times are exact.
struct VirtualLoop {
    aio::VirtualClock clock;
    aio::EventLoop loop{aio::LoopOptions{.clock = &clock}};

    aio::Duration elapsed() const { return clock.now() - aio::VirtualClock::start_time; }
};

// Runs the loop until the future is done, but at most `limit` of loop time.
// Returns whether it is done, so a lost wake-up fails instead of hanging.
template <class T>
bool run_until_done(aio::EventLoop& loop, aio::Future<T> future,
                    aio::Duration limit = std::chrono::seconds(60)) {
    aio::TimerHandle guard = loop.call_later(limit, [&loop] { loop.stop(); });
    try {
        aio::run_until_complete(loop, aio::Future<T>(future));
    } catch (...) {
        // the future's own outcome, or "stopped before Future completed"
    }
    guard.cancel();
    return future.done();
}

// Runs coro as a task (bounded) and returns its result or rethrows;
// InvalidStateError "Result is not set." if it hung.
template <class T>
T run_in_task(aio::EventLoop& loop, aio::Coro<T> coro) {
    aio::Task<T> task = aio::create_task(loop, std::move(coro));
    run_until_done(loop, aio::Future<T>(task));
    return task.result();
}

// Runs the loop for `span` of loop time (VirtualClock: instantly).
inline void run_for(aio::EventLoop& loop, aio::Duration span) {
    aio::Future<void> later(loop);
    loop.call_later(span, [later]() mutable {
        if (!later.done()) later.set_result();
    });
    aio::run_until_complete(loop, later);
}

// Keeps every report of the loop's exception handler.
struct RecordedReports {
    explicit RecordedReports(aio::EventLoop& loop) {
        loop.set_exception_handler([this](aio::EventLoop&, const aio::ExceptionContext& context) {
            messages.push_back(context.message);
        });
    }
    std::vector<std::string> messages;
};

// A value after a delay, on the loop's clock.
inline aio::Coro<int> value_after(aio::Duration delay, int value) {
    co_await aio::sleep(delay);
    co_return value;
}

// An exception after a delay.
inline aio::Coro<int> fail_after(aio::Duration delay, std::string message) {
    co_await aio::sleep(delay);
    throw aio::ValueError(message);
}

// A future of the loop that a timer resolves with value after delay.
inline aio::Future<int> resolved_later(aio::EventLoop& loop, aio::Duration delay, int value) {
    aio::Future<int> future(loop);
    loop.call_later(delay, [future, value]() mutable {
        if (!future.done()) future.set_result(value);
    });
    return future;
}

// What kind of exception e is, for assertions that print something useful.
inline std::string kind_of(const std::exception_ptr& e) {
    if (!e) return "none";
    try {
        std::rethrow_exception(e);
    } catch (const aio::CancelledError&) {
        return "CancelledError";
    } catch (const aio::TimeoutError&) {
        return "TimeoutError";
    } catch (const aio::ExceptionGroup&) {
        return "ExceptionGroup";
    } catch (const aio::ValueError&) {
        return "ValueError";
    } catch (const aio::RuntimeError&) {
        return "RuntimeError";
    } catch (const aio::NotImplemented& stub) {
        return std::string("NotImplemented(") + stub.what() + ")";
    } catch (const std::exception& other) {
        return std::string("other: ") + other.what();
    }
}

// The exception a future ended with ("CancelledError" for a cancelled one).
template <class T>
std::string outcome_kind(const aio::Future<T>& future) {
    if (!future.done()) return "pending";
    if (future.cancelled()) return "cancelled";
    return kind_of(future.exception());
}

// The message of the CancelledError future.result() throws; "<not cancelled>" otherwise.
template <class T>
std::string cancel_message_of(const aio::Future<T>& future) {
    try {
        future.result();
    } catch (const aio::CancelledError& cancelled) {
        return cancelled.message();
    } catch (...) {
    }
    return "<not cancelled>";
}

// Runs f and returns what it threw, as kind_of names it.
template <class F>
std::string thrown_by(F&& f) {
    try {
        f();
    } catch (...) {
        return kind_of(std::current_exception());
    }
    return "none";
}

} // namespace looplab
