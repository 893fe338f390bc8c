// Helpers for the chapter 04 tests: stepping a loop one iteration at a time, a
// watchdog for loops that would wait forever, and an exception handler that
// records what it is given.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "event_loop.hpp"

namespace looplab {

// One iteration that never blocks: a no-op keeps the ready queue non-empty, so
// select() polls. Callbacks scheduled during this iteration wait for the next.
inline void run_one_iteration(aio::EventLoop& loop) {
    loop.call_soon([] {});
    loop.run_once();
}

// Stops the loop every `limit` (and says so on stderr), so that a future that
// never completes makes run_until_complete fail fast with "Event loop stopped
// before Future completed." instead of hanging. fired() tells a test that the
// loop stopped only because of it. Disarmed when it goes out of scope.
class Watchdog {
public:
    Watchdog(aio::EventLoop& loop, aio::Duration limit, std::string what)
        : state_(std::make_shared<State>(State{&loop, limit, std::move(what), {}, false})) {
        arm(state_);
    }
    ~Watchdog() { state_->timer.cancel(); }
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

    bool fired() const { return state_->fired; }

private:
    struct State {
        aio::EventLoop* loop;
        aio::Duration limit;
        std::string what;
        aio::TimerHandle timer;
        bool fired;
    };
    // The timer holds the state weakly: no cycle through the loop's timer heap.
    static void arm(const std::shared_ptr<State>& state) {
        std::weak_ptr<State> weak = state;
        state->timer = state->loop->call_later(state->limit, [weak] {
            std::shared_ptr<State> state = weak.lock();
            if (!state) return;
            std::fprintf(stderr, "watchdog: %s did not finish in time; stopping the loop\n",
                         state->what.c_str());
            state->fired = true;
            state->loop->stop();
            arm(state);
        });
    }

    std::shared_ptr<State> state_;
};

// Installs itself as the loop's exception handler and keeps every context.
struct RecordedReports {
    explicit RecordedReports(aio::EventLoop& loop) {
        loop.set_exception_handler([this](aio::EventLoop&, const aio::ExceptionContext& context) {
            contexts.push_back(context);
        });
    }
    std::vector<aio::ExceptionContext> contexts;
};

// what() of an exception_ptr holding a std::exception, else "".
inline std::string what_of(const std::exception_ptr& error);

// Fails the test once for each call of the loop's exception handler: a
// callback that threw (a leaked writer that sets a done future again, say)
// must not go unnoticed because the answers came out right. `suspects` names
// the exercises whose code runs in those callbacks.
inline void expect_no_reports(const RecordedReports& reports, const std::string& suspects) {
    for (const auto& context : reports.contexts)
        ADD_FAILURE() << suspects << ": the loop's exception handler was called (\""
                      << context.message << "\": " << what_of(context.exception)
                      << "): a callback threw or a future was never retrieved; a working "
                         "client never reaches the handler (a watcher left registered keeps "
                         "firing, a future set twice raises InvalidStateError)";
}

// what() of an exception_ptr holding a std::exception, else "".
inline std::string what_of(const std::exception_ptr& error) {
    try {
        if (error) std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
    }
    return "";
}

} // namespace looplab
