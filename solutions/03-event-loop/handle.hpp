// A Handle: what call_soon returns, to cancel the callback before it runs (asyncio.Handle).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "ready_queue.hpp"

namespace aio {

class EventLoop;

// Why this is not a std::shared_ptr to a state object, as TimerHandle is:
// call_soon is the hottest call of the loop and its callbacks are almost never
// cancelled, so its Handle must cost nothing. It is a ticket into the ready
// queue (see ReadyQueue): cancel() drops the callback while it is still queued.
//
// The rules that follow from that:
// - cancel() after the callback ran (or started) changes nothing but cancelled().
// - cancelled() is true once cancel() was called on this handle, or on any copy
//   while the callback was still queued.
// - Use a Handle only while its loop exists, as an iterator into a container.
// A Handle from call_soon_threadsafe is the exception: another thread may cancel
// it, so it shares an atomic flag with its callback, which checks the flag when it
// runs (asyncio: _ThreadSafeHandle, which takes a lock).
class Handle {
public:
    Handle() = default; // a handle to nothing: cancel() does nothing

    void cancel();
    bool cancelled() const;

private:
    friend class EventLoop;
    Handle(detail::ReadyQueue* queue, std::uint64_t ticket) : queue_(queue), ticket_(ticket) {}
    explicit Handle(std::shared_ptr<std::atomic<bool>> flag) : flag_(std::move(flag)) {}

    detail::ReadyQueue* queue_ = nullptr; // call_soon: the queue and the entry's ticket
    std::uint64_t ticket_ = 0;
    std::shared_ptr<std::atomic<bool>> flag_; // call_soon_threadsafe: the shared flag
    bool cancelled_ = false;
};

} // namespace aio
