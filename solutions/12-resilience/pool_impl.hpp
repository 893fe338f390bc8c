// Pool<C>'s member functions (a template: they live in a header). Included
// by pool.hpp; include that one.
//
// The bookkeeping, in one sentence: size_ counts every connection open or
// being opened (a slot is taken before connect starts), in_use_ the ones on
// loan, idle_ holds the others; whatever frees a connection or a slot hands
// it straight to the oldest waiter still waiting.
#pragma once

#include <algorithm>
#include <exception>
#include <string>

namespace aio {

template <class C>
Pool<C>::Pool(std::function<Coro<C>()> connect, std::function<Coro<bool>(C&)> healthy,
              Options options, std::function<Coro<void>(C&)> close)
    : connect_(std::move(connect)), healthy_(std::move(healthy)), close_(std::move(close)),
      options_(options) {
    //@scratch ch12.pool_options
    //@exercise ch12.pool_options  Refuse a pool that cannot work, each with its own message.
    if (!connect_) throw ValueError("Pool: a connect function is required");
    if (options_.max_size == 0) throw ValueError("Pool: max_size must be at least 1");
    if (options_.min_size > options_.max_size)
        throw ValueError("Pool: min_size (" + std::to_string(options_.min_size) +
                         ") is above max_size (" + std::to_string(options_.max_size) + ")");
    if (options_.max_uses == 0) throw ValueError("Pool: max_uses must be at least 1");
    //@end
    //@end
}

template <class C>
std::size_t Pool<C>::waiting() const {
    return static_cast<std::size_t>(std::count_if(waiters_.begin(), waiters_.end(),
                                                  [](const auto& w) { return !w.ready.done(); }));
}

template <class C>
detail::PoolWaiter<C>* Pool<C>::oldest_waiter() {
    for (detail::PoolWaiter<C>& waiter : waiters_)
        if (!waiter.ready.done()) return &waiter;
    return nullptr;
}

template <class C>
Coro<void> Pool<C>::open() {
    loop_ = &binding_.get();
    if (closed_) throw RuntimeError("Pool is closed");
    //@scratch ch12.pool_open
    //@exercise ch12.pool_open  Connect until min_size connections sit idle.
    while (size_ < options_.min_size) {
        ++size_; // the slot first, as acquire does
        std::optional<C> connection;
        try {
            connection.emplace(co_await connect_());
        } catch (...) {
            --size_;
            throw;
        }
        idle_.push_back(std::make_unique<detail::Pooled<C>>(
            detail::Pooled<C>{std::move(*connection), loop_->time(), 0}));
    }
    //@end
    //@end
}

template <class C>
Coro<Lease<C>> Pool<C>::acquire() {
    loop_ = &binding_.get();
    if (closed_) throw RuntimeError("Pool is closed");
    if (options_.acquire_timeout)
        co_return co_await timeout(*options_.acquire_timeout, acquire_now());
    co_return co_await acquire_now();
}

template <class C>
Coro<Lease<C>> Pool<C>::acquire_now() {
    //@scratch ch12.pool_acquire
    //@exercise ch12.pool_acquire  Nobody waiting: an idle one, else a new one; else wait in line.
    if (waiting() == 0) {
        std::optional<Lease<C>> lease = co_await take_idle();
        if (lease) co_return std::move(*lease);
        if (size_ < options_.max_size) {
            ++size_;
            co_return co_await connect_new();
        }
    }
    co_return co_await wait_turn();
    //@end
    //@end
}

template <class C>
Coro<std::optional<Lease<C>>> Pool<C>::take_idle() {
    //@scratch ch12.pool_vet
    while (!idle_.empty()) {
        Entry entry = std::move(idle_.back()); // the freshest: the stale ones age out
        idle_.pop_back();
        //@exercise ch12.pool_vet  Lend it if neither stale nor unhealthy; else close it.
        if (loop_->time() - entry->returned_at >= options_.max_idle) {
            drop(std::move(entry));
            continue;
        }
        if (!healthy_) co_return lend(std::move(entry));
        bool healthy = false;
        std::exception_ptr error;
        try {
            healthy = co_await healthy_(entry->connection);
        } catch (...) {
            error = std::current_exception();
        }
        if (healthy && !error) co_return lend(std::move(entry));
        drop(std::move(entry)); // false, an error or a cancelled check: its state is unknown
        if (detail::is_cancellation(error)) std::rethrow_exception(error);
        //@end
    }
    co_return std::nullopt;
    //@end
}

template <class C>
Coro<Lease<C>> Pool<C>::connect_new() {
    //@scratch ch12.pool_connect_failed
    std::optional<C> connection;
    std::exception_ptr error;
    try {
        connection.emplace(co_await connect_());
    } catch (...) {
        error = std::current_exception();
    }
    if (error) {
        //@exercise ch12.pool_connect_failed  Free the slot taken for this connect, then raise.
        --size_;
        free_slot();
        std::rethrow_exception(error);
        //@end
    }
    co_return lend(std::make_unique<detail::Pooled<C>>(
        detail::Pooled<C>{std::move(*connection), loop_->time(), 0}));
    //@end
}

template <class C>
Coro<Lease<C>> Pool<C>::wait_turn() {
    //@scratch ch12.pool_wait
    Entry given;
    bool slot = false;
    std::exception_ptr error;
    //@exercise ch12.pool_wait  Wait in line; handed something, then cancelled: pass it on.
    {
        auto place = waiters_.emplace(waiters_.end(), *loop_);
        try {
            co_await place->ready;
        } catch (...) {
            error = std::current_exception();
        }
        given = std::move(place->given);
        slot = place->slot;
        waiters_.erase(place);
    }
    if (error) {
        if (given) hand_over(std::move(given));
        if (slot) {
            --size_;
            free_slot();
        }
        std::rethrow_exception(error);
    }
    if (given) co_return lend(std::move(given));
    co_return co_await connect_new();
    //@end
    //@end
}

template <class C>
Lease<C> Pool<C>::lend(Entry entry) {
    ++entry->uses;
    ++in_use_;
    return Lease<C>(this, std::move(entry));
}

template <class C>
void Pool<C>::give_back(Entry entry) {
    --in_use_;
    if (closed_ || entry->uses >= options_.max_uses) {
        drop(std::move(entry)); // worn out, or nobody will borrow it again
    } else {
        entry->returned_at = loop_->time(); // max_idle counts from here
        hand_over(std::move(entry));
    }
    check_drained();
}

template <class C>
void Pool<C>::retire(Entry entry) {
    --in_use_;
    drop(std::move(entry));
    check_drained();
}

template <class C>
void Pool<C>::hand_over(Entry entry) {
    //@scratch ch12.pool_hand_over
    detail::PoolWaiter<C>* waiter = oldest_waiter();
    if (waiter == nullptr) {
        idle_.push_back(std::move(entry));
        return;
    }
    //@exercise ch12.pool_hand_over  Hand the connection to that waiter.
    waiter->given = std::move(entry);
    waiter->ready.set_result();
    //@end
    //@end
}

template <class C>
void Pool<C>::drop(Entry entry) {
    --size_;
    close_later(std::move(entry));
    free_slot();
}

template <class C>
void Pool<C>::free_slot() {
    //@scratch ch12.pool_free_slot
    detail::PoolWaiter<C>* waiter = oldest_waiter();
    if (waiter == nullptr) return;
    //@exercise ch12.pool_free_slot  Room below max_size in an open pool: that waiter may connect.
    if (closed_ || size_ >= options_.max_size) return;
    ++size_; // taken for it now, so nobody else takes it in between
    waiter->slot = true;
    waiter->ready.set_result();
    //@end
    //@end
}

template <class C>
void Pool<C>::close_later(Entry entry) {
    if (!close_ || loop_ == nullptr || loop_->is_closed()) return; // destroyed: closed
    ++closing_;
    create_task(*loop_, close_in_background(std::move(entry)));
}

template <class C>
Coro<void> Pool<C>::close_in_background(Entry entry) {
    try {
        co_await close_(entry->connection);
    } catch (...) {
        loop_->call_exception_handler(
            {"Pool: closing a connection failed", std::current_exception()});
    }
    --closing_;
    check_drained();
}

template <class C>
void Pool<C>::check_drained() {
    if (closed_ && in_use_ == 0 && closing_ == 0) drained_.set();
}

template <class C>
Coro<void> Pool<C>::close() {
    loop_ = &binding_.get();
    //@scratch ch12.pool_close
    //@exercise ch12.pool_close  Refuse the waiters, close the idle connections, wait for leases.
    if (!closed_) {
        closed_ = true;
        for (detail::PoolWaiter<C>& waiter : waiters_)
            if (!waiter.ready.done())
                waiter.ready.set_exception(std::make_exception_ptr(RuntimeError("Pool is closed")));
        while (!idle_.empty()) {
            Entry entry = std::move(idle_.back());
            idle_.pop_back();
            drop(std::move(entry));
        }
        check_drained();
    }
    co_await drained_.wait();
    //@end
    //@end
}

} // namespace aio
