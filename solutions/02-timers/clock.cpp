// The loop's clocks: the real monotonic one, and a virtual one that moves only when told.
#include "clock.hpp"

namespace aio {

ClockSource::~ClockSource() = default;

TimePoint SteadyClock::now() const {
    return Clock::now();
}

void VirtualClock::advance(Duration d) {
    //@scratch ch02.advance
    //@exercise ch02.advance  Reject d < 0 with aio::ValueError, else add d to now_.
    if (d < Duration::zero()) {
        throw ValueError("VirtualClock::advance: negative duration; virtual time never goes back");
    }
    now_ += d;
    //@end
    //@end
}

// The idle loop's jump: straight to the next deadline. A deadline already in the
// past leaves the clock alone, so the loop can call this without checking first.
void VirtualClock::advance_to(TimePoint when) {
    if (when > now_) advance(when - now_);
}

} // namespace aio
