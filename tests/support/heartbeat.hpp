// A heartbeat: a timer that re-arms itself every period and records how late
// each beat fired. Its worst lag is how long the loop was blocked (the chapter
// 09 demo and tests measure the cost of a blocking call with it).
#pragma once

#include <algorithm>
#include <memory>

#include "event_loop.hpp"

namespace looplab {

class Heartbeat {
public:
    Heartbeat(aio::EventLoop& loop, aio::Duration period) : loop_(loop), period_(period) {}
    ~Heartbeat() { stop(); }
    Heartbeat(const Heartbeat&) = delete;
    Heartbeat& operator=(const Heartbeat&) = delete;

    void start() { arm(loop_.time() + period_); }
    void stop() { next_.cancel(); }

    aio::Duration worst_lag() const { return worst_lag_; }
    int beats() const { return beats_; }

private:
    void arm(aio::TimePoint due) {
        next_ = loop_.call_at(due, [this, due] {
            worst_lag_ = std::max(worst_lag_, loop_.time() - due);
            ++beats_;
            arm(loop_.time() + period_);
        });
    }

    aio::EventLoop& loop_;
    aio::Duration period_;
    aio::TimerHandle next_;
    aio::Duration worst_lag_{};
    int beats_ = 0;
};

} // namespace looplab
