// The non-template cores of wait and as_completed (asyncio: tasks._wait and
// as_completed's _on_completion/_on_timeout/_wait_for_one).
#include "wait.hpp"

namespace aio::detail {

namespace {

// What wait()'s done callbacks share. Held by shared_ptr: a callback already
// scheduled may run after the waiting frame is gone (remove_done_callback is
// false then), so the count cannot live in that frame.
struct WaitCounter {
    explicit WaitCounter(EventLoop& loop, std::size_t count, ReturnWhen when)
        : released(loop), left(count), when(when) {}

    // asyncio: _wait's _on_completion. A future's exception is asked for only
    // under FIRST_EXCEPTION, as asyncio does: exception() marks it retrieved,
    // and under the other rules reading it is the caller's business.
    void on_completion(FutureStateBase& future) {
        //@scratch ch06.wait_release
        //@exercise ch06.wait_release  One fewer left; release when the ReturnWhen rule holds.
        --left;
        if (left == 0 || when == ReturnWhen::FIRST_COMPLETED ||
            (when == ReturnWhen::FIRST_EXCEPTION && !future.cancelled() &&
             future.exception() != nullptr))
            release();
        //@end
        //@end
    }
    void release() {
        timer.cancel();
        if (!released.done()) released.set_result();
    }

    Future<void> released;
    std::size_t left;
    ReturnWhen when;
    TimerHandle timer;
};

} // namespace

Coro<void> wait_until(std::vector<StatePtr> futures, ReturnWhen when,
                      std::optional<Duration> timeout) {
    //@scratch ch06.wait_until
    //@exercise ch06.wait_until  Shared counter, timer, callbacks; await; clean up.
    EventLoop& loop = get_running_loop();
    auto counter = std::make_shared<WaitCounter>(loop, futures.size(), when);
    if (timeout) counter->timer = loop.call_later(*timeout, [counter] { counter->release(); });
    std::vector<CallbackId> ids;
    for (const StatePtr& future : futures)
        ids.push_back(future->add_done_callback(
            [counter](FutureStateBase& done) { counter->on_completion(done); }));
    std::exception_ptr error;
    try {
        co_await counter->released;
    } catch (...) {
        error = std::current_exception(); // cancelled: clean up first, as asyncio's finally
    }
    counter->timer.cancel();
    for (std::size_t i = 0; i < futures.size(); ++i)
        futures[i]->remove_done_callback(ids[i]);
    if (error) std::rethrow_exception(error);
    //@end
    //@end
}

CompletionQueue::~CompletionQueue() {
    timer_.cancel();
    for (auto& [future, id] : watched_)
        future->remove_done_callback(id);
}

void CompletionQueue::watch(const std::vector<StatePtr>& futures, std::optional<Duration> timeout) {
    std::weak_ptr<CompletionQueue> weak = weak_from_this();
    for (const StatePtr& future : futures) {
        CallbackId id = future->add_done_callback([weak](FutureStateBase& done) {
            if (auto queue = weak.lock()) queue->on_completion(done);
        });
        watched_.emplace_back(future, id);
    }
    if (timeout && !futures.empty())
        timer_ = loop_.call_later(*timeout, [weak] {
            if (auto queue = weak.lock()) queue->on_timeout();
        });
}

void CompletionQueue::on_completion(FutureStateBase& future) {
    //@scratch ch06.as_completed_arrive
    //@exercise ch06.as_completed_arrive  Queue it (unless timed out); wake a claim.
    if (timed_out_) return; // asyncio: "_on_timeout() was here first"
    for (auto it = watched_.begin(); it != watched_.end(); ++it)
        if (it->first.get() == &future) {
            done_.push_back(it->first);
            watched_.erase(it);
            break;
        }
    if (watched_.empty()) timer_.cancel();
    wake_one();
    //@end
    //@end
}

void CompletionQueue::on_timeout() {
    timed_out_ = true;
    for (auto& [future, id] : watched_)
        future->remove_done_callback(id);
    watched_.clear();
    while (!claims_.empty())
        wake_one();
}

void CompletionQueue::wake_one() {
    while (!claims_.empty()) {
        Future<void> claim = claims_.front();
        claims_.pop_front();
        if (!claim.done()) { // a claim whose task was cancelled is skipped
            claim.set_result();
            return;
        }
    }
}

Coro<StatePtr> CompletionQueue::next_done() {
    //@scratch ch06.as_completed_next
    //@exercise ch06.as_completed_next  Wait as a claim for a completion; take the oldest.
    while (done_.empty() && !timed_out_) {
        Future<void> arrival(loop_);
        claims_.push_back(arrival);
        std::exception_ptr cancelled;
        try {
            co_await arrival;
        } catch (...) {
            cancelled = std::current_exception();
        }
        if (cancelled) {
            if (arrival.done() && !arrival.cancelled())
                wake_one(); // woken, then cancelled: pass it on
            std::rethrow_exception(cancelled);
        }
    }
    if (done_.empty())
        throw TimeoutError("as_completed: the timeout passed before the next completion");
    StatePtr next = done_.front();
    done_.pop_front();
    co_return next;
    //@end
    //@end
}

} // namespace aio::detail
