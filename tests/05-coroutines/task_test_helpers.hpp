// Helpers for the chapter 05 tests: a loop on the virtual clock, a bounded
// run that turns a hang into a failure, an event log, an exception handler
// that records, and a thread with a small stack for the stack-depth tests.
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <pthread.h>

#include "clock.hpp"
#include "event_loop.hpp"
#include "task.hpp"

namespace looplab {

// A loop on its own VirtualClock: sleeps take no real time and times are exact.
struct VirtualLoop {
    aio::VirtualClock clock;
    aio::EventLoop loop{aio::LoopOptions{.clock = &clock}};

    aio::Duration elapsed() const { return clock.now() - aio::VirtualClock::start_time; }
};

// Runs the loop until the future is done, but at most `limit` of loop time (on
// a VirtualClock an idle loop jumps there at once). Returns whether it is done,
// so a lost wake-up fails the test instead of hanging it.
template <class T>
bool run_until_done(aio::EventLoop& loop, aio::Future<T> future,
                    aio::Duration limit = std::chrono::seconds(60)) {
    aio::TimerHandle guard = loop.call_later(limit, [&loop] { loop.stop(); });
    try {
        aio::run_until_complete(loop, aio::Future<T>(future));
    } catch (...) {
        // The future's own exception, or "stopped before Future completed": the
        // caller asserts on done() and the outcome.
    }
    guard.cancel();
    return future.done();
}

// Runs coro as a task of the loop until it is done (bounded) and returns its
// result, or rethrows; InvalidStateError "Result is not set." if it hung.
template <class T>
T run_in_task(aio::EventLoop& loop, aio::Coro<T> coro) {
    aio::Task<T> task = aio::create_task(loop, std::move(coro));
    run_until_done(loop, aio::Future<T>(task));
    return task.result();
}

// A log of what happened, in order: the specification of a schedule.
using Events = std::vector<std::string>;

// Installs itself as the loop's exception handler and keeps every message.
struct RecordedReports {
    explicit RecordedReports(aio::EventLoop& loop) {
        loop.set_exception_handler([this](aio::EventLoop&, const aio::ExceptionContext& context) {
            messages.push_back(context.message);
            errors.push_back(context.exception);
        });
    }
    std::vector<std::string> messages;
    std::vector<std::exception_ptr> errors;
};

// The message of the CancelledError that future.result() throws;
// "<not cancelled>" if it throws anything else or returns.
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

// Runs body on a new thread whose stack is `bytes` large and waits for it;
// rethrows what body threw. The learner's -O0 build must not need a deeper
// stack than that: a recursion per co_await overflows it (a crash, SIGSEGV).
inline void run_on_small_stack(std::size_t bytes, std::function<void()> body) {
    struct Job {
        std::function<void()> body;
        std::exception_ptr error;
    } job{std::move(body), nullptr};
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, bytes);
    pthread_t thread;
    auto entry = [](void* argument) -> void* {
        Job& job = *static_cast<Job*>(argument);
        try {
            job.body();
        } catch (...) {
            job.error = std::current_exception();
        }
        return nullptr;
    };
    int failed = pthread_create(&thread, &attributes, entry, &job);
    pthread_attr_destroy(&attributes);
    if (failed != 0) throw std::runtime_error("pthread_create");
    pthread_join(thread, nullptr);
    if (job.error) std::rethrow_exception(job.error);
}

} // namespace looplab
