// Graded tests, the single-flight TTL cache (ttl_cache.hpp) on a virtual
// clock: exact times, no real waiting.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "combinators.hpp"
#include "ttl_cache.hpp"
#include "virtual_loop.hpp"

using aio::Coro;
using aio::Task;
using aio::http::TtlCache;
using namespace looplab;

namespace {

struct Backend {
    int calls = 0, finished = 0;
    bool fail = false;
};

Coro<std::string> slow_fetch(std::shared_ptr<Backend> backend, std::string value) {
    ++backend->calls;
    co_await aio::sleep(100ms);
    ++backend->finished;
    if (backend->fail) throw aio::ValueError("backend down");
    co_return value;
}

std::function<Coro<std::string>()> fetcher(std::shared_ptr<Backend> backend, std::string value) {
    return [backend, value] { return slow_fetch(backend, value); };
}

Coro<std::string> lookup(TtlCache<std::string> cache, std::string key,
                         std::function<Coro<std::string>()> fetch) {
    co_return co_await cache.get_or_fetch(key, fetch);
}

} // namespace

TEST(Cache, AHitIsServedUntilTheTtlAndThenFetchedAgain) {
    VirtualLoop v;
    auto backend = std::make_shared<Backend>();
    TtlCache<std::string> cache(1s);
    auto first = aio::create_task(v.loop, lookup(cache, "k", fetcher(backend, "one")));
    v.settle(500ms);
    EXPECT_EQ(first.result(), "one") << "ch11.run_flight: a miss fetches the value";
    auto second = aio::create_task(v.loop, lookup(cache, "k", fetcher(backend, "two")));
    v.settle(10ms);
    EXPECT_EQ(second.result(), "one") << "ch11.single_flight: within the TTL: the stored value";
    EXPECT_EQ(backend->calls, 1) << "ch11.single_flight: a hit calls no backend";
    EXPECT_EQ(cache.hits(), 1u) << "ch11.single_flight: one hit";
    v.settle(1s); // the entry was stored at 100 ms: stale from 1100 ms
    auto third = aio::create_task(v.loop, lookup(cache, "k", fetcher(backend, "three")));
    v.settle(500ms);
    EXPECT_EQ(third.result(), "three")
        << "ch11.single_flight: past the TTL the value is fetched again";
    EXPECT_EQ(cache.misses(), 2u) << "ch11.single_flight: two misses";
}

TEST(Cache, TenConcurrentMissesMakeOneBackendCall) {
    VirtualLoop v;
    auto backend = std::make_shared<Backend>();
    TtlCache<std::string> cache(10s);
    std::vector<Task<std::string>> tasks;
    for (int i = 0; i < 10; ++i)
        tasks.push_back(aio::create_task(v.loop, lookup(cache, "user:1", fetcher(backend, "ann"))));
    v.settle(1s);
    for (auto& t : tasks)
        EXPECT_EQ(t.result(), "ann") << "ch11.single_flight: every waiter gets the value";
    EXPECT_EQ(backend->calls, 1) << "ch11.single_flight: ten concurrent misses share ONE fetch";
    EXPECT_EQ(cache.misses(), 10u) << "ch11.single_flight: joiners count as misses";
}

TEST(Cache, ErrorsGoToEveryWaiterAndAreNotCached) {
    VirtualLoop v;
    auto backend = std::make_shared<Backend>();
    backend->fail = true;
    TtlCache<std::string> cache(10s);
    auto a = aio::create_task(v.loop, lookup(cache, "k", fetcher(backend, "x")));
    auto b = aio::create_task(v.loop, lookup(cache, "k", fetcher(backend, "x")));
    v.settle(1s);
    EXPECT_EQ(outcome_of(a), "backend down")
        << "ch11.run_flight: the fetch's error reaches the first waiter";
    EXPECT_EQ(outcome_of(b), "backend down") << "ch11.run_flight: and the second";
    EXPECT_EQ(backend->calls, 1) << "ch11.single_flight: one shared fetch";
    EXPECT_EQ(cache.size(), 0u) << "ch11.run_flight: an error is not cached";
    backend->fail = false;
    auto c = aio::create_task(v.loop, lookup(cache, "k", fetcher(backend, "ok")));
    v.settle(1s);
    EXPECT_EQ(c.result(), "ok") << "ch11.run_flight: after an error the next call fetches again";
}

TEST(Cache, ACancelledWaiterDoesNotCancelTheSharedFetch) {
    VirtualLoop v;
    auto backend = std::make_shared<Backend>();
    TtlCache<std::string> cache(10s);
    auto leaver = aio::create_task(v.loop, lookup(cache, "k", fetcher(backend, "v")));
    auto stayer = aio::create_task(v.loop, lookup(cache, "k", fetcher(backend, "v")));
    v.settle(50ms);
    leaver.cancel();
    v.settle(1s);
    EXPECT_EQ(outcome_of(leaver), "cancelled")
        << "ch11.single_flight: the cancelled waiter is cancelled";
    EXPECT_EQ(outcome_of(stayer), "ok")
        << "ch11.single_flight: the other waiter still gets the value";
    EXPECT_EQ(cache.size(), 1u) << "ch11.run_flight: and the value is stored";
    auto only = aio::create_task(v.loop, lookup(cache, "j", fetcher(backend, "w")));
    v.settle(50ms);
    only.cancel();
    v.settle(1s);
    EXPECT_EQ(backend->calls, 2) << "ch11.single_flight: one fetch per key";
    EXPECT_EQ(backend->finished, 1)
        << "ch11.single_flight: the last waiter's cancel cancels the fetch (it never finished)";
    EXPECT_EQ(cache.size(), 1u) << "ch11.single_flight: nothing stored for the cancelled fetch";
}

TEST(Cache, TheLeastRecentlyUsedEntryIsEvicted) {
    VirtualLoop v;
    auto backend = std::make_shared<Backend>();
    TtlCache<std::string> cache(10s, 2);
    for (std::string key : {"a", "b", "a", "c"}) {
        auto t = aio::create_task(v.loop, lookup(cache, key, fetcher(backend, key)));
        v.settle(200ms);
    }
    EXPECT_EQ(cache.size(), 2u) << "ch11.cache_store: at most max_entries";
    EXPECT_EQ(backend->calls, 3) << "ch11.cache_store: a, b, c fetched; the second a was a hit";
    auto a = aio::create_task(v.loop, lookup(cache, "a", fetcher(backend, "a2")));
    v.settle(200ms);
    EXPECT_EQ(a.result(), "a") << "ch11.cache_store: a was used recently: kept";
    auto b = aio::create_task(v.loop, lookup(cache, "b", fetcher(backend, "b2")));
    v.settle(200ms);
    EXPECT_EQ(b.result(), "b2") << "ch11.cache_store: b was the least recently used: evicted";
}
