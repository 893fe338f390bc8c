// The heartbeat of the lag monitor (see lag_monitor.hpp).
#include "lag_monitor.hpp"

#include <algorithm>

#include "percentiles.hpp"

namespace aio {

LagMonitor::LagMonitor(EventLoop& loop, Duration interval) : loop_(loop), interval_(interval) {
    if (interval <= Duration::zero()) throw ValueError("LagMonitor: the interval must be positive");
    arm(loop_.time() + interval_);
}

void LagMonitor::arm(TimePoint due) {
    next_ = loop_.call_at(due, [this, due] { beat(due); });
}

void LagMonitor::beat(TimePoint due) {
    //@exercise ch13.lag_beat  Record how late this beat ran, and ask for the next one.
    const TimePoint now = loop_.time();
    lags_.push_back(now - due);
    arm(now + interval_);
    //@end
}

Duration LagMonitor::nearest_rank(int percent) const {
    //@exercise ch13.lag_stats  The percentile of the lags so far; zero before the first beat.
    if (lags_.empty()) return Duration::zero();
    std::vector<Duration> sorted = lags_;
    std::sort(sorted.begin(), sorted.end());
    return percentile(sorted, percent);
    //@end
}

Duration LagMonitor::p50() const {
    return nearest_rank(50);
}
Duration LagMonitor::p99() const {
    return nearest_rank(99);
}
Duration LagMonitor::max() const {
    return nearest_rank(100);
}

} // namespace aio
