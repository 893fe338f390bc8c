// The waiters of a lock, event, condition, semaphore or queue: futures in
// arrival order, and the loop a primitive binds to (asyncio: the `_waiters`
// deque and mixins._LoopBoundMixin). Given plumbing: chapters 07 and 08
// build their hand-offs on it.
#pragma once

#include <list>
#include <string>

#include "event_loop.hpp"
#include "future.hpp"

namespace aio::detail {

// Futures of the tasks waiting on one primitive, oldest first, and what a
// task that waits there is said to await ("Lock.acquire"), for chapter 13's
// task tree. A std::list for everything else.
class WaiterQueue : public std::list<Future<void>> {
public:
    explicit WaiterQueue(const char* what) : what_(what) {}
    const char* what() const noexcept { return what_; }

private:
    const char* what_;
};

// A waiter's place in the queue: puts a fresh future at the back and takes
// it out when the waiting frame ends, however it ends (asyncio: `finally:
// self._waiters.remove(fut)`), even when a closing loop destroys the frame.
class WaiterSlot {
public:
    WaiterSlot(WaiterQueue& queue, EventLoop& loop)
        : queue_(queue), entry_(queue.emplace(queue.end(), loop)) {
        entry_->state()->describe_wait(queue.what());
    }
    ~WaiterSlot() { queue_.erase(entry_); }
    WaiterSlot(const WaiterSlot&) = delete;
    WaiterSlot& operator=(const WaiterSlot&) = delete;

    Future<void> future() const { return *entry_; } // a handle: awaitable, copyable

private:
    WaiterQueue& queue_;
    WaiterQueue::iterator entry_;
};

// The loop a primitive belongs to: the running loop of its first wait; any
// other loop later is a RuntimeError (asyncio: _LoopBoundMixin._get_loop).
class LoopBinding {
public:
    explicit LoopBinding(std::string owner) : owner_(std::move(owner)) {}

    EventLoop& get() {
        //@scratch ch07.bind_loop
        //@exercise ch07.bind_loop  Bind to the first running loop; refuse any other.
        EventLoop& running = get_running_loop();
        if (loop_ == nullptr) loop_ = &running;
        if (loop_ != &running)
            throw RuntimeError(owner_ + " is bound to a different event loop; make one per loop");
        return running;
        //@end
        //@end
    }

private:
    std::string owner_;
    EventLoop* loop_ = nullptr;
};

// Waiting frames point at a primitive: it can be neither copied nor moved.
struct Pinned {
    Pinned() = default;
    Pinned(const Pinned&) = delete;
    Pinned& operator=(const Pinned&) = delete;
};

} // namespace aio::detail
