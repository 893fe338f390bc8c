// How a selector's cost grows with the number of registered fds: the measurement
// behind chapter 01's demo (make bench's B7 runs the same ping-pong through the loop).
#pragma once

#include <string_view>

namespace aio {

// Microseconds per round trip of one byte through an active pair of pipes, with
// `idle` more fds registered that never become ready (both ends of idle / 2 pipes,
// registered for reading), through make_selector(selector). Each round trip is two
// select() calls. Time covers the round trips only, not the set-up.
// Throws what the selector throws (ValueError: an fd >= FD_SETSIZE for "select"),
// and std::system_error("pipe") when the fd limit is too low (see raise_fd_limit).
double us_per_roundtrip(std::string_view selector, int idle, int roundtrips);

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft limit.
long raise_fd_limit();

} // namespace aio
