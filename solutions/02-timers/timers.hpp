// The timer queue: a min-heap of deadlines with lazy cancellation (asyncio: loop._scheduled).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "aio_base.hpp"

namespace aio {

class TimerQueue;

namespace detail {
// What a timer's handles and its heap entry share. Both hold it through a
// std::shared_ptr, so either side may go first: a dropped handle does not stop
// the timer, and a handle may outlive its queue.
struct TimerState {
    TimerState(TimePoint deadline, Callback fn, TimerQueue* owner)
        : when(deadline), callback(std::move(fn)), queue(owner) {}

    TimePoint when;
    Callback callback; // emptied by cancel() and when run, so its captures die early
    bool cancelled = false;
    // The queue whose heap holds this timer; nullptr once the entry left it (fired,
    // dropped, compacted away, or the queue was destroyed). asyncio: TimerHandle._scheduled.
    TimerQueue* queue;
};
} // namespace detail

// A copyable handle to one scheduled callback (asyncio.TimerHandle).
// Like the whole queue, it belongs to the loop's thread: cancelling from another
// thread goes through call_soon_threadsafe, as in asyncio.
class TimerHandle {
public:
    TimerHandle() = default; // an empty handle: cancel() does nothing, cancelled() is false

    void cancel(); // idempotent; harmless after the timer fired or its queue is gone
    bool cancelled() const { return state_ != nullptr && state_->cancelled; }
    TimePoint when() const { return state_ != nullptr ? state_->when : TimePoint{}; }

private:
    friend class TimerQueue;
    explicit TimerHandle(std::shared_ptr<detail::TimerState> state) : state_(std::move(state)) {}

    std::shared_ptr<detail::TimerState> state_;
};

// The loop's scheduled callbacks, earliest first (asyncio: BaseEventLoop._scheduled,
// a heapq list). Ties on the deadline go to the timer pushed first.
//
// Cancellation is lazy: cancel() only marks the timer; the heap drops a cancelled
// entry when it reaches the top. So that a program which cancels most of what it
// schedules (timeouts that never expire) does not fill the heap with the dead, the
// queue compacts as asyncio's _run_once does: when the heap holds more than 100
// entries and more than half of them are cancelled, it is rebuilt without them
// (checked by next_deadline() and pop_due()).
class TimerQueue {
public:
    // One slot of the heap. The key (when, seq) sits inline, so sifting compares
    // without chasing the pointer; seq is the push order, the FIFO tie-break.
    struct Entry {
        TimePoint when;
        std::uint64_t seq;
        std::shared_ptr<detail::TimerState> state;
    };

    TimerQueue() = default;
    TimerQueue(TimerQueue&& other) noexcept;            // the handles follow their timers
    TimerQueue& operator=(TimerQueue&& other) noexcept; // drops this queue's timers first
    ~TimerQueue();                                      // surviving handles forget the queue

    TimerHandle push(TimePoint when, Callback cb); // ValueError if cb is empty

    // The earliest live deadline, nullopt if none; drops cancelled entries off the top.
    std::optional<TimePoint> next_deadline();

    // Appends the callbacks of the live timers with when <= now, in (when, seq)
    // order, and returns how many. Each appended callback re-checks its timer when
    // called, so a cancel by an earlier callback of the same batch still holds.
    std::size_t pop_due(TimePoint now, std::vector<Callback>& out);

    std::size_t size() const { return heap_.size() - cancelled_; } // live timers
    std::size_t heap_size() const { return heap_.size(); }         // cancelled ones included

    // The heap array in index order (read-only): the demo draws it.
    const std::vector<Entry>& entries() const { return heap_; }

private:
    friend class TimerHandle;         // cancel() reports through timer_cancelled()
    friend struct TimerQueueTestHook; // tests only: reach the private steps one at a time

    // asyncio: _MIN_SCHEDULED_TIMER_HANDLES (100); the fraction (0.5) is the "* 2" in compaction.
    static constexpr std::size_t compaction_min_entries = 100;

    void timer_cancelled() { ++cancelled_; } // asyncio: BaseEventLoop._timer_handle_cancelled
    static bool earlier(const Entry& a, const Entry& b);
    void sift_up(std::size_t index);
    void sift_down(std::size_t index);
    std::shared_ptr<detail::TimerState> pop_top();
    void compact_if_mostly_cancelled();
    void point_entries_at(TimerQueue* queue);
    // assert()s the invariants below (debug builds). Every public operation and the
    // destructor call it first, so a change that broke the queue is caught at its next use.
    void check_invariants() const;

    // Invariants (check_invariants() asserts them):
    // - heap order: no entry is earlier() than its parent, so heap_[0] is the earliest.
    //   The children of index i sit at 2i + 1 and 2i + 2, its parent at (i - 1) / 2.
    // - every entry's state points back at this queue, and its when is the entry's when;
    //   an entry that leaves the heap gets state->queue = nullptr (it is detached).
    // - cancelled_ is the number of entries in heap_ whose state is cancelled.
    std::vector<Entry> heap_;
    std::uint64_t next_seq_ = 0;
    // Cancelled entries still in heap_ (asyncio: _timer_cancelled_count).
    std::size_t cancelled_ = 0;
};

} // namespace aio
