// The loop's clocks: the real monotonic one, and a virtual one that moves only when told.
#pragma once

#include "aio_base.hpp"

namespace aio {

// Where the loop reads the time (asyncio: loop.time(), which is time.monotonic()).
// Deadlines are points on this clock, never wall-clock dates: the wall clock
// jumps (NTP, daylight saving, a user setting the date), a monotonic one never does.
class ClockSource {
public:
    virtual ~ClockSource();
    virtual TimePoint now() const = 0;
};

// The real clock, std::chrono::steady_clock: the default of every loop.
class SteadyClock : public ClockSource {
public:
    TimePoint now() const override;
};

// Time for tests and demos: it stands still until advance() or advance_to()
// moves it, so "the 30 ms timer fires before the 50 ms one" is checked exactly
// and instantly. An idle loop jumps it to the next deadline instead of sleeping.
// Not thread-safe: the loop's thread owns it, like the loop itself.
class VirtualClock : public ClockSource {
public:
    // Every VirtualClock starts here: a fixed point, so runs are reproducible, and
    // not the clock's zero, so code that treats TimePoint{} as "unset" shows its bug.
    static constexpr TimePoint start_time{std::chrono::seconds(1000)};

    VirtualClock() = default;
    explicit VirtualClock(TimePoint start) : now_(start) {}

    TimePoint now() const override { return now_; }

    void advance(Duration d);        // ValueError if d < 0: time never goes back
    void advance_to(TimePoint when); // a time at or before now() changes nothing

private:
    TimePoint now_ = start_time;
};

} // namespace aio
