// The timer queue: a min-heap of deadlines with lazy cancellation (asyncio: loop._scheduled).
#include "timers.hpp"

#include <algorithm>
#include <utility>

namespace aio {

void TimerHandle::cancel() {
    if (state_ == nullptr || state_->cancelled) return;
    state_->cancelled = true;
    // Count it only while it still sits in a heap: a fired or compacted-away
    // timer is nobody's business (asyncio: _timer_handle_cancelled checks _scheduled).
    if (state_->queue != nullptr) state_->queue->timer_cancelled();
    // Drop the captures now, not when the entry finally leaves the heap: they may
    // hold the very object that holds this handle, a cycle (asyncio: _callback = None).
    state_->callback = nullptr;
}

TimerQueue::TimerQueue(TimerQueue&& other) noexcept
    : heap_(std::exchange(other.heap_, {})), next_seq_(other.next_seq_),
      cancelled_(std::exchange(other.cancelled_, 0)) {
    point_entries_at(this);
}

TimerQueue& TimerQueue::operator=(TimerQueue&& other) noexcept {
    if (this == &other) return *this;
    point_entries_at(nullptr);
    heap_ = std::exchange(other.heap_, {});
    next_seq_ = other.next_seq_;
    cancelled_ = std::exchange(other.cancelled_, 0);
    point_entries_at(this);
    return *this;
}

TimerQueue::~TimerQueue() {
    point_entries_at(nullptr);
}

void TimerQueue::point_entries_at(TimerQueue* queue) {
    for (Entry& entry : heap_)
        entry.state->queue = queue;
}

// The heap's order: the earlier deadline first; on a tie, the earlier push. Without
// seq, equal deadlines would come out in whatever order the swaps left them
// (libuv's timer_less_than breaks ties on start_id the same way).
bool TimerQueue::earlier(const Entry& a, const Entry& b) {
    if (a.when != b.when) return a.when < b.when;
    return a.seq < b.seq;
}

void TimerQueue::sift_up(std::size_t index) {
    //@exercise ch02.sift_up  Swap with the parent (i - 1) / 2 while earlier() than it.
    while (index > 0) {
        std::size_t parent = (index - 1) / 2;
        if (!earlier(heap_[index], heap_[parent])) return;
        std::swap(heap_[index], heap_[parent]);
        index = parent;
    }
    //@end
}

void TimerQueue::sift_down(std::size_t index) {
    //@exercise ch02.sift_down  Swap with the earlier child (2i + 1, 2i + 2) while one is earlier().
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
}

TimerHandle TimerQueue::push(TimePoint when, Callback cb) {
    if (!cb) throw ValueError("TimerQueue::push: empty callback; pass something to call");
    //@exercise ch02.push  make_shared the state, append {when, seq, state}, sift_up.
    auto state = std::make_shared<detail::TimerState>(when, std::move(cb), this);
    heap_.push_back(Entry{when, next_seq_++, state});
    sift_up(heap_.size() - 1);
    return TimerHandle(std::move(state));
    //@end
}

// The classic heap pop: the last entry takes the root's place and sinks to
// where it belongs. The popped timer is detached from this queue.
std::shared_ptr<detail::TimerState> TimerQueue::pop_top() {
    std::swap(heap_.front(), heap_.back());
    std::shared_ptr<detail::TimerState> state = std::move(heap_.back().state);
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0);
    detach(*state);
    return state;
}

// The entry leaves the heap, so a later cancel() must not count it any more
// (asyncio: handle._scheduled = False).
void TimerQueue::detach(detail::TimerState& state) {
    if (state.cancelled) --cancelled_;
    state.queue = nullptr;
}

// What pop_due hands out: the timer's callback behind a last check, because an
// earlier callback of the same batch may cancel it after it left the heap
// (asyncio: _run_once skips a handle of _ready that is cancelled by then).
Callback TimerQueue::run_unless_cancelled(std::shared_ptr<detail::TimerState> state) {
    return [state = std::move(state)] {
        if (state->cancelled || !state->callback) return;
        // Moved out first: if the callback cancels its own handle, cancel() must
        // not destroy the function while it runs.
        Callback callback = std::exchange(state->callback, nullptr);
        callback();
    };
}

std::optional<TimePoint> TimerQueue::next_deadline() {
    //@exercise ch02.next_deadline  Compact if due; pop cancelled tops; then the top's when.
    compact_if_mostly_cancelled();
    while (!heap_.empty() && heap_.front().state->cancelled)
        pop_top();
    if (heap_.empty()) return std::nullopt;
    return heap_.front().when;
    //@end
}

std::size_t TimerQueue::pop_due(TimePoint now, std::vector<Callback>& out) {
    //@exercise ch02.pop_due  Compact if due; pop due tops; wrap live ones in run_unless_cancelled.
    compact_if_mostly_cancelled();
    std::size_t appended = 0;
    while (!heap_.empty() && heap_.front().when <= now) {
        std::shared_ptr<detail::TimerState> state = pop_top();
        if (state->cancelled) continue;
        out.push_back(run_unless_cancelled(std::move(state)));
        ++appended;
    }
    return appended;
    //@end
}

// asyncio's rule, from BaseEventLoop._run_once: rebuild when the heap holds more
// than _MIN_SCHEDULED_TIMER_HANDLES (100) entries and the cancelled fraction is
// above _MIN_CANCELLED_TIMER_HANDLES_FRACTION (0.5). Each rebuild costs O(n) and
// removes more than n/2 entries, so its cost is paid for by the cancels it cleans up.
void TimerQueue::compact_if_mostly_cancelled() {
    //@exercise ch02.compact  Over 100 entries, over half cancelled: drop them, heapify.
    if (heap_.size() <= compaction_min_entries || cancelled_ * 2 <= heap_.size()) return;
    for (Entry& entry : heap_) {
        if (entry.state->cancelled) detach(*entry.state);
    }
    std::erase_if(heap_, [](const Entry& entry) { return entry.state->cancelled; });
    for (std::size_t parent = heap_.size() / 2; parent-- > 0;)
        sift_down(parent);
    //@end
}

} // namespace aio
