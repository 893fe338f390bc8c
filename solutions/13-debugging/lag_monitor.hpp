// The loop-lag monitor: a heartbeat timer that asks to run every `interval`
// and records how late the loop ran it. A lag is time the loop spent on
// something else: a blocking call, a long callback, a burst of work
// (aiodebug's loop-lag monitor; Node's monitorEventLoopDelay).
#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

#include "event_loop.hpp"

namespace aio {

class LagMonitor {
public:
    // Starts at once: the first beat is due one interval from now. ValueError
    // for an interval that is not positive.
    explicit LagMonitor(EventLoop& loop, Duration interval = std::chrono::milliseconds(10));
    ~LagMonitor() { stop(); }
    LagMonitor(const LagMonitor&) = delete;
    LagMonitor& operator=(const LagMonitor&) = delete;

    void stop() { next_.cancel(); } // no more beats; the samples stay

    // Nearest-rank over every beat so far; zero before the first beat.
    Duration p50() const;
    Duration p99() const;
    Duration max() const;
    std::size_t samples() const { return lags_.size(); }
    const std::vector<Duration>& lags() const { return lags_; } // one per beat, in order

private:
    void arm(TimePoint due);
    void beat(TimePoint due); // the timer fired; `due` is when it asked to
    Duration nearest_rank(int percent) const;

    EventLoop& loop_;
    Duration interval_;
    TimerHandle next_;
    std::vector<Duration> lags_; // one per beat, in order
};

} // namespace aio
