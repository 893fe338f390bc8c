// The loop's wake-up fd: how another thread interrupts a blocked select()
// (asyncio: the self-pipe, BaseSelectorEventLoop._make_self_pipe / _write_to_self).
#pragma once

#include <functional>

namespace aio::detail {

// An eventfd on Linux (one fd, a counter); elsewhere a non-blocking pipe, the
// classic self-pipe trick. The loop registers fd() for reading, so a blocked
// select() returns as soon as notify() makes it readable.
class Wakeup {
public:
    Wakeup();  // std::system_error("eventfd") / ("pipe") on failure
    ~Wakeup(); // closes the fd(s)
    Wakeup(const Wakeup&) = delete;
    Wakeup& operator=(const Wakeup&) = delete;

    int fd() const { return read_fd_; } // what the selector watches

    // Any thread: make fd() readable. Never blocks: a full pipe or a saturated
    // counter is already readable, which is all a wake-up needs. A write error
    // that is not EINTR or EAGAIN is a bug: std::system_error (wakeup.cpp).
    void notify();
    // The loop's thread: read everything, so that fd() is not readable any more.
    // std::system_error for a read error other than EINTR or EAGAIN.
    void drain();

private:
    friend struct WakeupTestAccess; // tests only: sets before_drain_

    int read_fd_ = -1;
    int write_fd_ = -1; // == read_fd_ for an eventfd
    // Tests only: called as drain() begins, so that a test can land a post at
    // exactly the moment the loop consumes a wake-up (the lost-wake-up race,
    // made deterministic). Always empty outside the tests.
    std::function<void()> before_drain_;
};

} // namespace aio::detail
