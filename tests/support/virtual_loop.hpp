// Helpers for the tests of chapters 07 and 08: a loop on a virtual clock, a
// bounded run that turns a lost wake-up into a failure instead of a hang, a
// log of who did what when, and what a task ended with.
#pragma once

#include <chrono>
#include <exception>
#include <string>
#include <vector>

#include "clock.hpp"
#include "event_loop.hpp"
#include "task.hpp"

namespace looplab {

using namespace std::chrono_literals;

// A loop on its own VirtualClock: sleeps take no real time, times are exact.
struct VirtualLoop {
    aio::VirtualClock clock;
    aio::EventLoop loop{aio::LoopOptions{.clock = &clock}};

    // Virtual milliseconds since the loop started.
    long ms() const {
        return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     clock.now() - aio::VirtualClock::start_time)
                                     .count());
    }

    // Lets the loop run for `span` of virtual time (an idle loop jumps), so
    // every task runs as far as it can; a lost wake-up leaves its task pending.
    void settle(aio::Duration span = 1s) {
        aio::Task<void> timer = aio::create_task(loop, aio::sleep(span));
        aio::run_until_complete(loop, aio::Future<void>(timer));
    }
};

// Who did what, in order, with the virtual time: "A got it @10".
struct Log {
    const VirtualLoop* clock = nullptr;
    std::vector<std::string> lines;
    void add(const std::string& what) {
        lines.push_back(clock != nullptr ? what + " @" + std::to_string(clock->ms()) : what);
    }
};

inline std::string joined(const std::vector<std::string>& lines) {
    std::string all;
    for (const std::string& line : lines)
        all += (all.empty() ? "" : ", ") + line;
    return all;
}

// What the task ended with: "ok", "cancelled", the error's what(), or "pending".
template <class T>
std::string outcome_of(const aio::Future<T>& task) {
    if (!task.done()) return "pending";
    if (task.cancelled()) return "cancelled";
    try {
        task.result();
        return "ok";
    } catch (const aio::CancelledError&) {
        return "cancelled";
    } catch (const std::exception& error) {
        return error.what();
    }
}

} // namespace looplab
