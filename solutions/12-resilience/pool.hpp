// The connection pool (Python: asyncpg's create_pool and `async with
// pool.acquire() as conn`): a few connections opened once and lent out,
// instead of a connect per query; callers beyond max_size wait in line.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <utility>

#include "locks.hpp" // Event
#include "timeouts.hpp"

namespace aio {

template <class C>
class Pool;

namespace detail {

// One pooled connection and what the pool knows about it.
template <class C>
struct Pooled {
    C connection;
    TimePoint returned_at{}; // the loop's clock, when it last came back
    std::size_t uses = 0;    // loans so far
};

// A waiter's place: what it was handed (a connection, or a free slot to
// connect with) is kept here, so a waiter cancelled after the hand-off can
// pass it on (asyncio's locks do the same with a wake-up).
template <class C>
struct PoolWaiter {
    explicit PoolWaiter(EventLoop& loop) : ready(loop) {}
    Future<void> ready;
    std::unique_ptr<Pooled<C>> given; // a returned connection
    bool slot = false;                // or: a slot, counted in size() already
};

} // namespace detail

// One connection on loan: move-only; the destructor gives it back. The pool
// must outlive its leases.
template <class C>
class Lease {
public:
    Lease() = default;
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), entry_(std::move(other.entry_)) {}
    Lease& operator=(Lease&& other) noexcept {
        if (this != &other) {
            release();
            pool_ = std::exchange(other.pool_, nullptr);
            entry_ = std::move(other.entry_);
        }
        return *this;
    }
    ~Lease() { release(); }

    C& get() { return entry_->connection; }
    C& operator*() { return get(); }
    C* operator->() { return &get(); }
    explicit operator bool() const { return entry_ != nullptr; }

    void release() { // back to the pool now; idempotent
        if (entry_) std::exchange(pool_, nullptr)->give_back(std::move(entry_));
    }
    void discard() { // after an error: closed, not reused; idempotent
        if (entry_) std::exchange(pool_, nullptr)->retire(std::move(entry_));
    }

private:
    friend class Pool<C>;
    Lease(Pool<C>* pool, std::unique_ptr<detail::Pooled<C>> entry)
        : pool_(pool), entry_(std::move(entry)) {}

    Pool<C>* pool_ = nullptr;
    std::unique_ptr<detail::Pooled<C>> entry_;
};

template <class C>
class Pool : detail::Pinned {
public:
    struct Options {
        std::size_t min_size = 1, max_size = 10;
        std::optional<Duration> acquire_timeout;       // the whole acquire: wait, connect, check
        Duration max_idle = std::chrono::seconds(300); // idle longer: closed, not lent
        std::size_t max_uses = 50000;                  // loans before it is replaced
    };

    // connect opens one connection; healthy (empty: no check) vets an idle
    // one before a loan; close (empty: destroy it) ends one.
    Pool(std::function<Coro<C>()> connect, std::function<Coro<bool>(C&)> healthy, Options options,
         std::function<Coro<void>(C&)> close = {});
    // Close it (and await that) before it goes: leases and background closes point at it.
    ~Pool() = default;

    Coro<void> open(); // min_size connections
    Coro<Lease<C>> acquire();
    Coro<void> close(); // fails waiters, closes idle ones, waits for the leases

    std::size_t size() const { return size_; } // open or being opened
    std::size_t idle() const { return idle_.size(); }
    std::size_t in_use() const { return in_use_; }
    std::size_t waiting() const;

private:
    friend class Lease<C>;
    using Entry = std::unique_ptr<detail::Pooled<C>>;
    using Waiters = std::list<detail::PoolWaiter<C>>;

    Coro<Lease<C>> acquire_now(); // acquire without its timeout
    Coro<std::optional<Lease<C>>> take_idle();
    Coro<Lease<C>> connect_new(); // a slot is taken (size_ counts it)
    Coro<Lease<C>> wait_turn();
    Lease<C> lend(Entry entry);
    void give_back(Entry entry); // a Lease's release()
    void retire(Entry entry);    // a Lease's discard()
    void hand_over(Entry entry); // to the oldest waiter, else idle
    void drop(Entry entry);      // close it and free its slot
    void free_slot();            // one connection fewer: a waiter may connect
    detail::PoolWaiter<C>* oldest_waiter();
    void close_later(Entry entry); // a connection is closed by a task of its own
    Coro<void> close_in_background(Entry entry);
    void check_drained();

    std::function<Coro<C>()> connect_;
    std::function<Coro<bool>(C&)> healthy_;
    std::function<Coro<void>(C&)> close_;
    Options options_;
    std::deque<Entry> idle_; // most recently returned at the back (lent first)
    Waiters waiters_;
    std::size_t size_ = 0, in_use_ = 0, closing_ = 0;
    bool closed_ = false;
    Event drained_; // set once closed and every lease and close is over
    EventLoop* loop_ = nullptr;
    detail::LoopBinding binding_{"Pool"};
};

} // namespace aio

#include "pool_impl.hpp"
