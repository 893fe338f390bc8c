// Synchronisation between tasks of one loop: Lock, Event, Condition,
// Semaphore, BoundedSemaphore and the Guard that releases them (asyncio:
// locks.py). No threads: a task only loses the CPU at a co_await, so these
// primitives are plain counters and queues of waiter futures.
//
// None is copyable or movable (waiting frames point at them); each binds to
// the loop of its first wait (RuntimeError from another loop). A waiter woken
// and then cancelled before it runs passes the wake-up on (asyncio bpo-27585,
// gh-90155): no lock hand-off, notification or permit is lost.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

#include "task.hpp"
#include "waiter_queue.hpp"

namespace aio {

// What `async with lock:` gives back: owns one release. Move-only; the
// destructor releases unless release() ran already, so the block is left
// released however it ends (return, exception, cancellation). A release that
// throws in the destructor goes to the loop's exception handler.
class Guard {
public:
    Guard() = default; // owns nothing
    Guard(std::function<void()> release, EventLoop& loop)
        : release_(std::move(release)), loop_(&loop) {}
    Guard(Guard&& other) noexcept
        : release_(std::exchange(other.release_, nullptr)), loop_(other.loop_) {}
    Guard& operator=(Guard&& other) noexcept; // releases what this one owned first
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    ~Guard();

    void release(); // early release; the destructor then does nothing
    bool owns() const { return static_cast<bool>(release_); }

private:
    std::function<void()> release_;
    EventLoop* loop_ = nullptr;
};

// asyncio.Lock: FIFO. acquire() takes the fast path only when the lock is
// free AND no live (not cancelled) waiter is queued, so nobody jumps the
// queue while a woken waiter has not run yet.
class Lock : detail::Pinned {
public:
    Coro<void> acquire();
    void release(); // RuntimeError "Lock is not acquired." when unlocked
    bool locked() const { return locked_; }
    Coro<Guard> guard(); // acquire, then a Guard whose destructor releases

private:
    void wake_up_first(); // asyncio: Lock._wake_up_first

    bool locked_ = false;
    detail::WaiterQueue waiters_{"Lock.acquire"};
    detail::LoopBinding binding_{"Lock"};
};

// asyncio.Event: a flag; wait() blocks until it is set; set() wakes every waiter.
class Event : detail::Pinned {
public:
    Coro<void> wait();
    void set();
    void clear() { value_ = false; }
    bool is_set() const { return value_; }

private:
    bool value_ = false;
    detail::WaiterQueue waiters_{"Event.wait"};
    detail::LoopBinding binding_{"Event"};
};

// asyncio.Condition: waiters that give the lock up while they wait for a
// notify, and take it back before wait() returns, even when cancelled.
class Condition : detail::Pinned {
public:
    explicit Condition(Lock* lock = nullptr); // nullptr: a Lock of its own

    Coro<void> acquire() { return lock_->acquire(); }
    void release() { lock_->release(); }
    bool locked() const { return lock_->locked(); }
    Coro<Guard> guard() { return lock_->guard(); }

    Coro<void> wait(); // RuntimeError unless the lock is held
    Coro<void> wait_for(std::function<bool()> predicate);
    void notify(std::size_t n = 1); // RuntimeError unless the lock is held
    void notify_all() { notify(waiters_.size()); }

private:
    std::unique_ptr<Lock> own_lock_;
    Lock* lock_;
    detail::WaiterQueue waiters_{"Condition.wait"};
    detail::LoopBinding binding_{"Condition"};
};

// asyncio.Semaphore: a counter of permits; acquire() waits at zero, FIFO.
class Semaphore : detail::Pinned {
public:
    explicit Semaphore(int value = 1); // value < 0: ValueError

    Coro<void> acquire();
    void release(); // a BoundedSemaphore checks its bound here
    Coro<Guard> guard();
    // 3.13: value is 0, or a waiter that is not cancelled is queued.
    bool locked() const;

protected:
    Semaphore(int value, int bound); // BoundedSemaphore's

private:
    bool wake_up_next();                                 // asyncio: Semaphore._wake_up_next
    void give_back_if_woken(const Future<void>& waiter); // a cancelled waiter's permit

    int value_; // invariant: never below zero
    std::optional<int> bound_;
    detail::WaiterQueue waiters_{"Semaphore.acquire"};
    detail::LoopBinding binding_{"Semaphore"};
};

// asyncio.BoundedSemaphore: a release above the initial value is a ValueError.
// The bound lives in Semaphore (release is not virtual), so a release through
// a Semaphore& is checked too.
class BoundedSemaphore : public Semaphore {
public:
    explicit BoundedSemaphore(int value = 1) : Semaphore(value, value) {}
};

} // namespace aio
