// Whether a pass may skip its poll because it could find nothing: never, on
// this loop, which asks the selector on every pass as asyncio's _run_once
// does. A file of its own so that chapter 14's fast loop can replace just
// this answer (libuv skips its poll when nothing is watched).
#include "event_loop.hpp"

namespace aio {

bool EventLoop::poll_would_find_nothing(std::optional<Duration> /*timeout*/) const {
    return false;
}

} // namespace aio
