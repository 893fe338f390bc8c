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

namespace detail {

// Values by key with the time they were stored, most recently used first;
// putting one past max_entries evicts the least recently used (Python:
// OrderedDict with move_to_end and popitem(last=False)).
template <class V>
class LruMap {
public:
    explicit LruMap(std::size_t max_entries) : max_entries_(max_entries) {}
    // The entry and when it was stored, made the most recent; nullptr if absent.
    const V* find(const std::string& key, TimePoint* stored);
    void put(const std::string& key, V value, TimePoint now);
    std::size_t size() const { return entries_.size(); }
    void clear() {
        entries_.clear();
        order_.clear();
    }

private:
    struct Entry {
        V value;
        TimePoint stored;
        std::list<std::string>::iterator place; // in order_
    };
    std::size_t max_entries_;
    std::map<std::string, Entry> entries_;
    std::list<std::string> order_; // most recently used first
};

template <class V>
const V* LruMap<V>::find(const std::string& key, TimePoint* stored) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second.place);
    *stored = it->second.stored;
    return &it->second.value;
}

template <class V>
void LruMap<V>::put(const std::string& key, V value, TimePoint now) {
    //@scratch ch11.cache_store
    //@exercise ch11.cache_store  Insert or replace as most recent; evict the least recently used over max_entries.
    auto it = entries_.find(key);
    if (it != entries_.end()) {
        order_.erase(it->second.place);
        entries_.erase(it);
    }
    order_.push_front(key);
    entries_.emplace(key, Entry{std::move(value), now, order_.begin()});
    while (entries_.size() > max_entries_) {
        entries_.erase(order_.back());
        order_.pop_back();
    }
    //@end
    //@end
}

} // namespace detail

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
    void clear() { state_->entries.clear(); }
    std::size_t hits() const { return state_->hits; }
    std::size_t misses() const { return state_->misses; }

private:
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
        State(Duration t, std::size_t m) : ttl(t), entries(m) {}
        Duration ttl;
        detail::LruMap<V> entries;
        std::map<std::string, std::shared_ptr<Flight>> flights;
        std::size_t hits = 0, misses = 0;

        const V* fresh(const std::string& key, TimePoint now) {
            TimePoint stored;
            const V* value = entries.find(key, &stored);
            return value && now < stored + ttl ? value : nullptr;
        }
    };

    static Coro<void> run_flight(std::shared_ptr<State> state, std::string key,
                                 std::shared_ptr<Flight> flight, std::function<Coro<V>()> fetch);

    std::shared_ptr<State> state_;
};

// The shared fetch: its outcome goes to every waiter still waiting.
template <class V>
Coro<void> TtlCache<V>::run_flight(std::shared_ptr<State> state, std::string key,
                                   std::shared_ptr<Flight> flight, std::function<Coro<V>()> fetch) {
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
    if (value) state->entries.put(key, *value, get_running_loop().time()); // never an error
    for (Future<V>& waiter : flight->waiters) {
        if (waiter.done()) continue; // cancelled meanwhile
        if (value)
            waiter.set_result(*value);
        else
            waiter.set_exception(error);
    }
    // Cancelled because every waiter left: end cancelled, as asyncio would.
    if (error && aio::detail::is_cancellation(error)) std::rethrow_exception(error);
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
