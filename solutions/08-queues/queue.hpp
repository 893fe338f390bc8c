// Queue<T>: a FIFO between producer and consumer tasks, with waiting putters
// (queue full) and getters (queue empty), task_done/join and shutdown
// (asyncio: queues.Queue, Python 3.13).
#pragma once

#include <cstddef>
#include <deque>
#include <exception>
#include <optional>
#include <string>
#include <utility>

#include "locks.hpp"
#include "task.hpp"
#include "waiter_queue.hpp"

namespace aio {

struct QueueEmpty : Error {
    using Error::Error;
}; // asyncio.QueueEmpty: get_nowait on an empty queue
struct QueueFull : Error {
    using Error::Error;
}; // asyncio.QueueFull: put_nowait on a full queue
struct QueueShutDown : Error {
    using Error::Error;
}; // asyncio.QueueShutDown (3.13)

// maxsize 0: unbounded. T may be move-only: items travel by move, and get()
// hands its item out through its coroutine, never through a Future<T>
// (whose result() copies); the queue's waiters are futures of void.
// Neither copyable nor movable: waiting frames point at the queue.
template <class T>
class Queue : detail::Pinned {
public:
    explicit Queue(std::size_t maxsize = 0) : maxsize_(maxsize) { finished_.set(); }
    virtual ~Queue() = default;

    Coro<void> put(T item);  // waits while full; QueueShutDown once shut down
    Coro<T> get();           // waits while empty; a cancelled get loses no item
    void put_nowait(T item); // QueueFull, QueueShutDown
    T get_nowait();          // QueueEmpty; QueueShutDown once shut down and drained
    void task_done();        // ValueError when called more often than items were put
    Coro<void> join();       // until every item put was marked done

    std::size_t qsize() const { return items_.size(); }
    std::size_t maxsize() const { return maxsize_; }
    bool empty() const { return items_.empty(); }
    bool full() const { return maxsize_ > 0 && qsize() >= maxsize_; }
    // 3.13: put raises QueueShutDown; get drains what is left, then raises;
    // immediate: the items are dropped and join() is released at once.
    void shutdown(bool immediate = false);

protected:
    // Where items go and come from; PriorityQueue and LifoQueue override
    // these only (asyncio: _put and _get). The items live in items_.
    virtual void push_item(T item) { items_.push_back(std::move(item)); }
    virtual T pop_item();

    std::deque<T> items_;

private:
    // Wakes the oldest waiter still pending (asyncio: Queue._wakeup_next).
    static void wake_next(detail::WaiterQueue& waiters);

    std::size_t maxsize_;
    detail::WaiterQueue getters_{"Queue.get"}; // waiting for an item
    detail::WaiterQueue putters_{"Queue.put"}; // waiting for room
    std::size_t unfinished_tasks_ = 0;
    Event finished_; // set while unfinished_tasks_ == 0
    bool is_shutdown_ = false;
    detail::LoopBinding binding_{"Queue"};
};

template <class T>
T Queue<T>::pop_item() {
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
}

template <class T>
void Queue<T>::wake_next(detail::WaiterQueue& waiters) {
    for (Future<void>& waiter : waiters) {
        if (waiter.done()) continue;
        waiter.set_result();
        return;
    }
}

template <class T>
void Queue<T>::put_nowait(T item) {
    //@scratch ch08.put_nowait
    //@exercise ch08.put_nowait  Refuse when shut down or full; else store, count, wake a getter.
    if (is_shutdown_)
        throw QueueShutDown("put_nowait: the queue is shut down; nothing more goes in");
    if (full()) throw QueueFull("put_nowait: the queue is full; use put() to wait for room");
    push_item(std::move(item));
    ++unfinished_tasks_;
    finished_.clear();
    wake_next(getters_);
    //@end
    //@end
}

template <class T>
T Queue<T>::get_nowait() {
    //@scratch ch08.get_nowait
    //@exercise ch08.get_nowait  Refuse when empty (shut down says so); else take one, wake a
    // putter.
    if (empty()) {
        if (is_shutdown_) throw QueueShutDown("get_nowait: the queue is shut down and drained");
        throw QueueEmpty("get_nowait: the queue is empty; use get() to wait for an item");
    }
    T item = pop_item();
    wake_next(putters_);
    return item;
    //@end
    //@end
}

// A getter that leaves with an error passes its wake-up on: if it was woken
// (its future done, not cancelled) and items are there, the next getter
// must get one (asyncio: the `except:` of Queue.get).
template <class T>
Coro<T> Queue<T>::get() {
    //@scratch ch08.get
    //@exercise ch08.get  The next item, waiting while empty (asyncio: Queue.get); lose nothing.
    while (empty()) {
        if (is_shutdown_) throw QueueShutDown("get: the queue is shut down and drained");
        std::exception_ptr error;
        std::optional<Future<void>> getter;
        {
            detail::WaiterSlot slot(getters_, binding_.get());
            getter = slot.future();
            try {
                co_await slot.future();
            } catch (...) {
                error = std::current_exception();
            }
        }
        if (error) {
            getter->cancel(); // in case it is still pending
            if (!empty() && !getter->cancelled()) wake_next(getters_);
            std::rethrow_exception(error);
        }
    }
    co_return get_nowait();
    //@end
    //@end
}

template <class T>
Coro<void> Queue<T>::put(T item) {
    //@scratch ch08.put
    //@exercise ch08.put  Store the item, waiting while full (asyncio: Queue.put); lose nothing.
    while (full()) {
        if (is_shutdown_) throw QueueShutDown("put: the queue is shut down; nothing more goes in");
        std::exception_ptr error;
        std::optional<Future<void>> putter;
        {
            detail::WaiterSlot slot(putters_, binding_.get());
            putter = slot.future();
            try {
                co_await slot.future();
            } catch (...) {
                error = std::current_exception();
            }
        }
        if (error) {
            putter->cancel();
            if (!full() && !putter->cancelled()) wake_next(putters_);
            std::rethrow_exception(error);
        }
    }
    put_nowait(std::move(item));
    //@end
    //@end
}

template <class T>
void Queue<T>::task_done() {
    //@scratch ch08.task_done
    //@exercise ch08.task_done  Mark one item processed (asyncio: Queue.task_done).
    if (unfinished_tasks_ == 0)
        throw ValueError("task_done() called too many times: once per item got, no more");
    if (--unfinished_tasks_ == 0) finished_.set();
    //@end
    //@end
}

template <class T>
Coro<void> Queue<T>::join() {
    //@scratch ch08.join
    //@exercise ch08.join  Wait until every item put was marked done.
    if (unfinished_tasks_ > 0) co_await finished_.wait();
    //@end
    //@end
}

template <class T>
void Queue<T>::shutdown(bool immediate) {
    //@scratch ch08.shutdown
    //@exercise ch08.shutdown  Mark shut down; immediate: drop items and release join; wake
    // everyone.
    is_shutdown_ = true;
    if (immediate) {
        while (!empty()) {
            pop_item();
            if (unfinished_tasks_ > 0) --unfinished_tasks_;
        }
        if (unfinished_tasks_ == 0) finished_.set();
    }
    for (Future<void>& getter : getters_)
        if (!getter.done()) getter.set_result();
    for (Future<void>& putter : putters_)
        if (!putter.done()) putter.set_result();
    //@end
    //@end
}

} // namespace aio
