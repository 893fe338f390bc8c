// wait and as_completed: wait for some of many futures without consuming
// them (asyncio: tasks.wait and tasks.as_completed).
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "gather.hpp"

namespace aio {

enum class ReturnWhen { FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED }; // asyncio's constants

// The futures split by wait(): input order, each future once.
template <class T>
struct WaitResult {
    std::vector<Future<T>> done, pending;
};

namespace detail {

// The core of wait(), whatever the type: suspends until `when` holds for the
// (distinct) futures or the timeout passes (asyncio: tasks._wait).
Coro<void> wait_until(std::vector<StatePtr> futures, ReturnWhen when,
                      std::optional<Duration> timeout);

template <class T>
std::vector<Future<T>> distinct(std::vector<Future<T>> futures) {
    std::vector<Future<T>> unique;
    for (Future<T>& future : futures)
        if (std::find(unique.begin(), unique.end(), future) == unique.end())
            unique.push_back(std::move(future));
    return unique;
}

// The core of as_completed: the futures' completions, queued in the order
// they happen, and the claims (next()) waiting for one. Owned by shared_ptr:
// the AsCompleted and every running claim; the futures' callbacks hold it weakly.
class CompletionQueue : public std::enable_shared_from_this<CompletionQueue> {
public:
    CompletionQueue(EventLoop& loop, std::size_t total) : loop_(loop), total_(total) {}
    ~CompletionQueue();
    CompletionQueue(const CompletionQueue&) = delete;
    CompletionQueue& operator=(const CompletionQueue&) = delete;

    void watch(const std::vector<StatePtr>& futures, std::optional<Duration> timeout);
    std::size_t total() const { return total_; }
    // The next completed future; TimeoutError once the timeout passed.
    Coro<StatePtr> next_done();

private:
    void on_completion(FutureStateBase& future);
    void on_timeout();
    void wake_one();

    EventLoop& loop_;
    std::size_t total_;
    std::vector<std::pair<StatePtr, CallbackId>> watched_; // until each completes
    std::deque<StatePtr> done_;                            // completed, not yet claimed
    std::deque<Future<void>> claims_;                      // next_done() calls waiting
    TimerHandle timer_;
    bool timed_out_ = false;
};

} // namespace detail

// asyncio.wait(fs, timeout, return_when): waits, then splits the futures into
// done and pending. Never raises TimeoutError, never cancels anything.
// ValueError for an empty list. FIRST_EXCEPTION ignores cancellations.
template <class T>
Coro<WaitResult<T>> wait(std::vector<Future<T>> fs, ReturnWhen when = ReturnWhen::ALL_COMPLETED,
                         std::optional<Duration> timeout = {}) {
    //@scratch ch06.wait
    //@exercise ch06.wait  Refuse an empty list; wait; split into done and pending.
    if (fs.empty()) throw ValueError("wait: the list of futures is empty");
    std::vector<Future<T>> unique = detail::distinct(std::move(fs));
    co_await detail::wait_until(detail::states_of(unique), when, timeout);
    WaitResult<T> result;
    for (Future<T>& future : unique)
        (future.done() ? result.done : result.pending).push_back(future);
    co_return result;
    //@end
    //@end
}

// asyncio.as_completed: next() gives the next result in completion order (or
// throws that future's exception). empty() once every future is claimed;
// next() after that: RuntimeError. The timeout runs from as_completed() on:
// after it, next() throws TimeoutError.
template <class T>
class AsCompleted {
public:
    AsCompleted(std::vector<Future<T>> fs, std::optional<Duration> timeout) {
        std::vector<detail::StatePtr> states = detail::states_of(detail::distinct(std::move(fs)));
        EventLoop& loop = states.empty() ? get_running_loop() : states.front()->loop();
        queue_ = std::make_shared<detail::CompletionQueue>(loop, states.size());
        queue_->watch(states, timeout);
    }

    bool empty() const { return claimed_ == queue_->total(); }
    Coro<T> next() {
        if (empty()) throw RuntimeError("as_completed: every future was already claimed");
        ++claimed_;
        return claim(queue_);
    }

private:
    static Coro<T> claim(std::shared_ptr<detail::CompletionQueue> queue) {
        detail::StatePtr done = co_await queue->next_done();
        Future<T> future(std::static_pointer_cast<detail::FutureState<T>>(done));
        co_return future.result();
    }

    std::shared_ptr<detail::CompletionQueue> queue_;
    std::size_t claimed_ = 0;
};

template <class T>
AsCompleted<T> as_completed(std::vector<Future<T>> fs, std::optional<Duration> timeout = {}) {
    return AsCompleted<T>(std::move(fs), timeout);
}

} // namespace aio
