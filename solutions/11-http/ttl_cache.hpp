// A TTL cache with single-flight fetches and least-recently-used eviction:
// the source articles' cache, made safe under concurrency (Python: the
// articles' AsyncCache; aiocache's "stampede" lock; Go's singleflight).
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "future.hpp"
#include "task.hpp"
#include "timeouts.hpp"

namespace aio::http {

// A copyable handle; on the running loop's clock (virtual-clock testable).
// Fresh while loop.time() < stored + ttl. Concurrent misses for one key share
// ONE fetch; its exception goes to every waiter and is not cached; a cancelled
// waiter leaves the fetch running for the others, and the last waiter's cancel
// cancels it. hits() counts answers from a fresh entry, misses() every other
// call. V is copyable.
template <class V>
class TtlCache {
public:
    explicit TtlCache(Duration ttl, std::size_t max_entries = 1024)
        : state_(std::make_shared<State>(ttl, max_entries)) {}

    Coro<V> get_or_fetch(std::string key, std::function<Coro<V>()> fetch);

    std::size_t size() const { return state_->entries.size(); }
    void clear() {
        state_->entries.clear();
        state_->order.clear();
    }
    std::size_t hits() const { return state_->hits; }
    std::size_t misses() const { return state_->misses; }

private:
    struct Entry {
        V value;
        TimePoint stored;
        std::list<std::string>::iterator place; // in order
    };
    // One fetch in progress and the futures of the callers waiting for it.
    struct Flight {
        std::vector<Future<V>> waiters;
        std::optional<Task<void>> task;
        bool all_waiters_gone() const {
            for (const Future<V>& w : waiters)
                if (!w.done()) return false;
            return true;
        }
    };
    struct State {
        State(Duration t, std::size_t m) : ttl(t), max_entries(m) {}
        Duration ttl;
        std::size_t max_entries;
        std::map<std::string, Entry> entries;
        std::list<std::string> order; // most recently used first
        std::map<std::string, std::shared_ptr<Flight>> flights;
        std::size_t hits = 0, misses = 0;

        const V* fresh(const std::string& key, TimePoint now);
        void store(const std::string& key, const V& value, TimePoint now);
    };

    static Coro<void> run_flight(std::shared_ptr<State> state, std::string key,
                                 std::shared_ptr<Flight> flight, std::function<Coro<V>()> fetch);

    std::shared_ptr<State> state_;
};

// A hit moves the entry to the front of the order.
template <class V>
const V* TtlCache<V>::State::fresh(const std::string& key, TimePoint now) {
    auto it = entries.find(key);
    if (it == entries.end() || now >= it->second.stored + ttl) return nullptr;
    order.splice(order.begin(), order, it->second.place);
    return &it->second.value;
}

template <class V>
void TtlCache<V>::State::store(const std::string& key, const V& value, TimePoint now) {
    //@scratch ch11.cache_store
    //@exercise ch11.cache_store  Insert or replace as most recent; evict the least recently used over max_entries.
    auto it = entries.find(key);
    if (it != entries.end()) {
        order.erase(it->second.place);
        entries.erase(it);
    }
    order.push_front(key);
    entries.emplace(key, Entry{value, now, order.begin()});
    while (entries.size() > max_entries) {
        entries.erase(order.back());
        order.pop_back();
    }
    //@end
    //@end
}

// The shared fetch: its outcome goes to every waiter still waiting.
template <class V>
Coro<void> TtlCache<V>::run_flight(std::shared_ptr<State> state, std::string key,
                                   std::shared_ptr<Flight> flight, std::function<Coro<V>()> fetch) {
    //@scratch ch11.run_flight
    //@exercise ch11.run_flight  Fetch once; store a value (never an error); hand the outcome to each live waiter.
    std::optional<V> value;
    std::exception_ptr error;
    try {
        value.emplace(co_await fetch());
    } catch (...) {
        error = std::current_exception();
    }
    auto current = state->flights.find(key);
    if (current != state->flights.end() && current->second == flight) state->flights.erase(current);
    flight->task.reset(); // the flight held its own task: break the cycle
    if (value) state->store(key, *value, get_running_loop().time());
    for (Future<V>& waiter : flight->waiters) {
        if (waiter.done()) continue; // cancelled meanwhile
        if (value)
            waiter.set_result(*value);
        else
            waiter.set_exception(error);
    }
    // Cancelled because every waiter left: end cancelled, as asyncio would.
    if (error && aio::detail::is_cancellation(error)) std::rethrow_exception(error);
    //@end
    //@end
}

template <class V>
Coro<V> TtlCache<V>::get_or_fetch(std::string key, std::function<Coro<V>()> fetch) {
    //@scratch ch11.single_flight
    //@exercise ch11.single_flight  A fresh hit at once; else join the flight for key (or start it) and wait on a future of your own.
    std::shared_ptr<State> state = state_; // the handle may go away meanwhile
    EventLoop& loop = get_running_loop();
    if (const V* hit = state->fresh(key, loop.time())) {
        ++state->hits;
        co_return *hit;
    }
    ++state->misses;
    std::shared_ptr<Flight>& slot = state->flights[key];
    std::shared_ptr<Flight> flight = slot;
    if (!flight) {
        flight = slot = std::make_shared<Flight>();
        flight->task = create_task(loop, run_flight(state, key, flight, std::move(fetch)));
    }
    Future<V> mine(loop);
    flight->waiters.push_back(mine);
    std::exception_ptr error;
    try {
        co_return co_await mine;
    } catch (...) {
        error = std::current_exception();
    }
    // Our own future was cancelled: the fetch goes on unless nobody else waits.
    if (mine.cancelled() && flight->all_waiters_gone() && !flight->task->done())
        flight->task->cancel("every waiter of the cache fetch was cancelled");
    std::rethrow_exception(error);
    //@end
    //@end
}

} // namespace aio::http
