// The timer queue: a min-heap of deadlines with lazy cancellation (asyncio: loop._scheduled).
#include "timers.hpp"

#include <algorithm>
#include <cassert>
#include <tuple>
#include <utility>

namespace aio {

void TimerHandle::cancel() {
    if (state_ != nullptr && state_->queue != nullptr) state_->queue->check_invariants();
    //@scratch ch02.cancel
    //@exercise ch02.cancel  Mark the timer cancelled, once; count it if queued; drop its callback.
    if (state_ == nullptr || state_->cancelled) return;
    state_->cancelled = true;
    // Count it only while it still sits in a heap: a fired or compacted-away
    // timer is nobody's business (asyncio: _timer_handle_cancelled checks _scheduled).
    if (state_->queue != nullptr) state_->queue->timer_cancelled();
    // Drop the captures now, not when the entry finally leaves the heap: they may
    // hold the very object that holds this handle, a cycle (asyncio: _callback = None).
    state_->callback = nullptr;
    //@end
    //@end
}

// The handles follow their timers: each moved state points at the new queue.
TimerQueue::TimerQueue(TimerQueue&& other) noexcept {
    *this = std::move(other);
}

TimerQueue& TimerQueue::operator=(TimerQueue&& other) noexcept {
    //@scratch ch02.move
    //@stub aio::detail::not_implemented_abort("ch02.move");
    //@exercise ch02.move  Drop this queue's timers; take other's; point them at this queue.
    //@stub aio::detail::not_implemented_abort("ch02.move");
    if (this == &other) return *this;
    point_entries_at(nullptr);
    heap_ = std::exchange(other.heap_, {});
    next_seq_ = other.next_seq_;
    cancelled_ = std::exchange(other.cancelled_, 0);
    point_entries_at(this);
    return *this;
    //@end
    //@end
}

TimerQueue::~TimerQueue() {
    check_invariants();
    point_entries_at(nullptr); // surviving handles forget the queue
}

void TimerQueue::point_entries_at(TimerQueue* queue) {
    for (Entry& entry : heap_)
        entry.state->queue = queue;
}

// The heap's order: the earlier deadline first; on a tie, the earlier push. Without
// seq, equal deadlines would come out in whatever order the swaps left them
// (libuv's timer_less_than breaks ties on start_id the same way).
bool TimerQueue::earlier(const Entry& a, const Entry& b) {
    //@scratch ch02.earlier
    //@exercise ch02.earlier  Is a before b: the earlier deadline, on a tie the earlier push?
    if (a.when != b.when) return a.when < b.when;
    return a.seq < b.seq;
    //@end
    //@end
}

// The entry at `index` was just appended: it rises while it is earlier than its
// parent (asyncio: heapq's _siftdown, named for the direction the others move).
void TimerQueue::sift_up(std::size_t index) {
    //@scratch ch02.sift_up
    //@exercise ch02.sift_up  Move the entry at index up until its parent is not later than it.
    while (index > 0) {
        std::size_t parent = (index - 1) / 2;
        if (!earlier(heap_[index], heap_[parent])) return;
        std::swap(heap_[index], heap_[parent]);
        index = parent;
    }
    //@end
    //@end
}

// The entry at `index` may be later than its children: it sinks, always below the
// earlier child, so that child can take its place above the other one.
void TimerQueue::sift_down(std::size_t index) {
    //@scratch ch02.sift_down
    //@exercise ch02.sift_down  Move the entry at index down until no child is earlier than it.
    const std::size_t count = heap_.size();
    while (true) {
        std::size_t first = index;
        std::size_t left = 2 * index + 1;
        std::size_t right = left + 1;
        if (left < count && earlier(heap_[left], heap_[first])) first = left;
        if (right < count && earlier(heap_[right], heap_[first])) first = right;
        if (first == index) return;
        std::swap(heap_[index], heap_[first]);
        index = first;
    }
    //@end
    //@end
}

TimerHandle TimerQueue::push(TimePoint when, Callback cb) {
    check_invariants();
    //@scratch ch02.push
    //@exercise ch02.push  Refuse an empty callback; add the timer to the heap; return its handle.
    if (!cb) throw ValueError("TimerQueue::push: empty callback; pass something to call");
    // One allocation: the state and its reference counts in one block.
    auto state = std::make_shared<detail::TimerState>(when, std::move(cb), this);
    heap_.push_back(Entry{when, next_seq_++, state});
    sift_up(heap_.size() - 1);
    return TimerHandle(std::move(state));
    //@end
    //@end
}

// The classic heap pop: the last entry takes the root's place and sinks to where
// it belongs. The popped timer leaves this queue: it is detached (asyncio:
// handle._scheduled = False), so a later cancel() does not count it.
std::shared_ptr<detail::TimerState> TimerQueue::pop_top() {
    //@scratch ch02.pop_top
    //@exercise ch02.pop_top  Remove the root, restore the heap, detach the timer, return it.
    std::swap(heap_.front(), heap_.back());
    std::shared_ptr<detail::TimerState> state = std::move(heap_.back().state);
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0);
    if (state->cancelled) --cancelled_;
    state->queue = nullptr;
    return state;
    //@end
    //@end
}

// asyncio's rule, from BaseEventLoop._run_once: rebuild when the heap holds more
// than _MIN_SCHEDULED_TIMER_HANDLES (100) entries and the cancelled fraction is
// above _MIN_CANCELLED_TIMER_HANDLES_FRACTION (0.5). Each rebuild costs O(n) and
// removes more than n/2 entries, so its cost is paid for by the cancels it cleans up.
void TimerQueue::compact_if_mostly_cancelled() {
    //@scratch ch02.compact
    //@exercise ch02.compact  Over 100 entries, over half cancelled: rebuild the heap without them.
    if (heap_.size() <= compaction_min_entries || cancelled_ * 2 <= heap_.size()) return;
    for (Entry& entry : heap_) {
        if (entry.state->cancelled) entry.state->queue = nullptr; // it leaves the heap
    }
    std::erase_if(heap_, [](const Entry& entry) { return entry.state->cancelled; });
    cancelled_ = 0;
    // Bottom-up heapify, O(n): every parent sinks, the last parent first.
    for (std::size_t parent = heap_.size() / 2; parent-- > 0;)
        sift_down(parent);
    //@end
    //@end
}

std::optional<TimePoint> TimerQueue::next_deadline() {
    check_invariants();
    //@scratch ch02.next_deadline
    //@exercise ch02.next_deadline  Compact if due; drop cancelled tops; return the top deadline.
    compact_if_mostly_cancelled();
    while (!heap_.empty() && heap_.front().state->cancelled)
        pop_top();
    if (heap_.empty()) return std::nullopt;
    return heap_.front().when;
    //@end
    //@end
}

std::size_t TimerQueue::pop_due(TimePoint now, std::vector<Callback>& out) {
    check_invariants();
    //@scratch ch02.pop_due
    //@exercise ch02.pop_due  Compact if due; hand out every due live timer, re-checked when run.
    compact_if_mostly_cancelled();
    std::size_t appended = 0;
    while (!heap_.empty() && heap_.front().when <= now) {
        std::shared_ptr<detail::TimerState> state = pop_top();
        if (state->cancelled) continue;
        // A last check when it runs: an earlier callback of the same batch may cancel
        // this timer after it left the heap (asyncio: _run_once skips such a handle).
        out.push_back([state = std::move(state)] {
            if (state->cancelled || !state->callback) return;
            // Moved out first: if the callback cancels its own handle, cancel() must
            // not destroy the function while it runs.
            Callback callback = std::exchange(state->callback, nullptr);
            callback();
        });
        ++appended;
    }
    return appended;
    //@end
    //@end
}

void TimerQueue::check_invariants() const {
#ifndef NDEBUG
    // The whole heap is checked while it holds at most this many entries (every
    // test's heap), only the count above it: O(n) per operation would make the
    // demo's 400,000 pushes take hours.
    constexpr std::size_t full_check_limit = 1024;
    assert(cancelled_ <= heap_.size() &&
           "TimerQueue: cancelled_ counts more entries than the heap holds "
           "(ch02.cancel counts, ch02.pop_top and ch02.compact uncount, ch02.move takes the "
           "count along and drops the old timers)");
    if (heap_.size() > full_check_limit) return;
    std::size_t cancelled = 0;
    for (std::size_t i = 0; i < heap_.size(); ++i) {
        const Entry& entry = heap_[i];
        assert(entry.state->queue == this && entry.state->when == entry.when &&
               "TimerQueue: an entry in the heap does not point back at its queue "
               "(ch02.push sets it, ch02.move re-points it)");
        // Compared here, not with earlier(): the check must not depend on an exercise.
        const Entry& parent = heap_[i == 0 ? 0 : (i - 1) / 2];
        assert(std::tie(parent.when, parent.seq) <= std::tie(entry.when, entry.seq) &&
               "TimerQueue heap order broken: an entry is earlier than its parent "
               "(ch02.earlier, ch02.sift_up, ch02.sift_down, ch02.compact)");
        if (entry.state->cancelled) ++cancelled;
    }
    assert(cancelled == cancelled_ &&
           "TimerQueue: cancelled_ differs from the cancelled entries in the heap "
           "(ch02.cancel counts, ch02.pop_top and ch02.compact uncount, ch02.move takes the "
           "count along and drops the old timers)");
#endif
}

} // namespace aio
