// The connection pool on the virtual clock, over a fake database that counts
// what it sees: loans, FIFO waiters, timeouts, health checks, close.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <set>

#include "pool.hpp"
#include "resilience_test_helpers.hpp"

using namespace looplab;
using aio::Coro;

namespace {

struct FakeConnection {
    int id;
};

// The fake database server: what it was asked, and how many it holds open.
struct FakeDb {
    int next_id = 0, connects = 0, open = 0, peak = 0, closes = 0;
    int failing_connects = 0; // the next N connects fail
    aio::Duration connect_latency{};
    std::set<int> dead; // connections whose health check fails
};

Coro<FakeConnection> fake_connect(FakeDb* db) {
    ++db->connects;
    if (db->connect_latency > aio::Duration::zero()) co_await aio::sleep(db->connect_latency);
    if (db->failing_connects > 0) {
        --db->failing_connects;
        throw aio::ConnectionRefusedError("connect: Connection refused");
    }
    db->peak = std::max(db->peak, ++db->open);
    co_return FakeConnection{++db->next_id};
}

Coro<bool> fake_ping(FakeDb* db, FakeConnection* c) {
    co_await aio::sleep(1ms);
    co_return db->dead.count(c->id) == 0;
}

Coro<void> fake_close(FakeDb* db) {
    --db->open;
    ++db->closes;
    co_return;
}

using FakePool = aio::Pool<FakeConnection>;

struct PoolFixture {
    VirtualLoop v;
    Log log;
    FakeDb db;
    FakePool pool;

    explicit PoolFixture(FakePool::Options options, bool check_health = false)
        : pool([this] { return fake_connect(&db); },
               check_health ? std::function<Coro<bool>(FakeConnection&)>(
                                  [this](FakeConnection& c) { return fake_ping(&db, &c); })
                            : nullptr,
               options, [this](FakeConnection&) { return fake_close(&db); }) {
        log.clock = &v;
    }

    // A task that borrows a connection, logs "name got #id", holds it, gives it back.
    aio::Task<void> borrow(std::string name, aio::Duration hold, bool discard = false) {
        return aio::create_task(v.loop, borrow_body(std::move(name), hold, discard));
    }
    Coro<void> borrow_body(std::string name, aio::Duration hold, bool discard) {
        aio::Lease<FakeConnection> lease = co_await pool.acquire();
        log.add(name + " got #" + std::to_string(lease->id));
        co_await aio::sleep(hold);
        if (discard) lease.discard();
    }
    void run(Coro<void> body) {
        auto task = aio::create_task(v.loop, std::move(body));
        v.settle(10s);
        EXPECT_EQ(outcome_of(task), "ok") << "the test's own body";
    }
};

FakePool::Options sized(std::size_t min, std::size_t max) {
    FakePool::Options o;
    o.min_size = min;
    o.max_size = max;
    return o;
}

} // namespace

TEST(Pool, BadOptionsAreValueErrors) {
    auto connect = [] { return fake_connect(nullptr); };
    EXPECT_THROW(FakePool(connect, nullptr, sized(3, 2)), aio::ValueError)
        << "ch12.pool_options: min_size above max_size: ValueError";
    EXPECT_THROW(FakePool(connect, nullptr, sized(0, 0)), aio::ValueError)
        << "ch12.pool_options: max_size 0: ValueError";
    EXPECT_THROW(FakePool(nullptr, nullptr, sized(0, 1)), aio::ValueError)
        << "ch12.pool_options: no connect function: ValueError";
    FakePool::Options worn = sized(0, 1);
    worn.max_uses = 0;
    EXPECT_THROW(FakePool(connect, nullptr, worn), aio::ValueError)
        << "ch12.pool_options: max_uses 0: ValueError";
    EXPECT_NO_THROW(FakePool(connect, nullptr, sized(1, 1)))
        << "ch12.pool_options: min_size = max_size = 1 is fine";
}

TEST(Pool, OpenConnectsMinSize) {
    PoolFixture f(sized(2, 4));
    f.run(f.pool.open());
    EXPECT_EQ(f.db.connects, 2) << "ch12.pool_open: open() makes min_size connections";
    EXPECT_EQ(f.pool.idle(), 2u) << "ch12.pool_open: and keeps them idle";
    EXPECT_EQ(f.pool.size(), 2u) << "ch12.pool_open: both counted in size()";
}

TEST(Pool, LendsIdleConnectionsThenConnectsUpToMaxSize) {
    PoolFixture f(sized(1, 3));
    f.run([&]() -> Coro<void> {
        co_await f.pool.open();
        auto a = co_await f.pool.acquire();
        auto b = co_await f.pool.acquire();
        auto c = co_await f.pool.acquire();
        EXPECT_EQ(f.db.connects, 3) << "ch12.pool_acquire: the idle one, then two new ones";
        EXPECT_EQ(f.pool.size(), 3u) << "ch12.pool_acquire: three open";
        EXPECT_EQ(f.pool.in_use(), 3u) << "ch12.pool_acquire: three on loan";
        int id = b->id;
        b.release();
        EXPECT_EQ(f.pool.idle(), 1u) << "ch12.pool_acquire: a released connection goes idle";
        auto d = co_await f.pool.acquire();
        EXPECT_EQ(d->id, id) << "ch12.pool_vet: the idle connection is lent again";
        EXPECT_EQ(f.db.connects, 3) << "ch12.pool_vet: no new connect for it";
    }());
}

TEST(Pool, WaitersAreServedInFifoOrderByReturnedConnections) {
    PoolFixture f(sized(0, 1));
    std::vector<aio::Task<void>> tasks;
    for (std::string name : {"A", "B", "C", "D"})
        tasks.push_back(f.borrow(name, 10ms));
    f.v.settle(1s);
    EXPECT_EQ(joined(f.log.lines), "A got #1 @0, B got #1 @10, C got #1 @20, D got #1 @30")
        << "ch12.pool_wait: at max_size callers wait in line; each return goes to the oldest "
           "waiter (ch12.pool_hand_over)";
    EXPECT_EQ(f.db.connects, 1) << "ch12.pool_hand_over: one connection served all four";
}

TEST(Pool, TheLeaseGivesItBackWhenTheBlockThrows) {
    PoolFixture f(sized(0, 2));
    auto failing = [&]() -> Coro<void> {
        aio::Lease<FakeConnection> lease = co_await f.pool.acquire();
        throw aio::ValueError("query failed");
    };
    auto task = aio::create_task(f.v.loop, failing());
    f.v.settle(10ms);
    EXPECT_EQ(outcome_of(task), "query failed") << "the block's error comes out";
    EXPECT_EQ(f.pool.in_use(), 0u) << "ch12.pool_acquire: the lease went back anyway";
    EXPECT_EQ(f.pool.idle(), 1u) << "ch12.pool_acquire: and the connection is idle";
}

TEST(Pool, DiscardClosesItAndTheFreedSlotGoesToTheNextWaiter) {
    PoolFixture f(sized(0, 1));
    auto a = f.borrow("A", 10ms, true);
    auto b = f.borrow("B", 10ms);
    f.v.settle(1s);
    EXPECT_EQ(joined(f.log.lines), "A got #1 @0, B got #2 @10")
        << "ch12.pool_free_slot: A discards #1; B, waiting, connects a new one at once";
    EXPECT_EQ(f.db.closes, 1) << "ch12.pool_free_slot: the discarded connection is closed";
    EXPECT_EQ(f.pool.size(), 1u) << "ch12.pool_free_slot: still one connection in all";
}

TEST(Pool, AcquireTimeoutRaisesTimeoutErrorAndLosesNothing) {
    FakePool::Options o = sized(0, 1);
    o.acquire_timeout = 50ms;
    PoolFixture f(o);
    auto a = f.borrow("A", 100ms);
    auto b = f.borrow("B", 10ms);
    f.v.settle(60ms);
    EXPECT_NE(outcome_of(b).find("imeout"), std::string::npos)
        << "ch12.pool_wait: B waited 50 ms: TimeoutError, got " << outcome_of(b);
    EXPECT_EQ(f.pool.waiting(), 0u) << "ch12.pool_wait: B left the line";
    f.v.settle(50ms);
    EXPECT_EQ(f.pool.idle(), 1u) << "ch12.pool_wait: A's connection came back idle";
    auto c = f.borrow("C", 1ms);
    f.v.settle(10ms);
    EXPECT_EQ(joined(f.log.lines), "A got #1 @0, C got #1 @110")
        << "ch12.pool_acquire: nothing lost: C takes the same connection at once";
}

TEST(Pool, AConnectionHandedToACancelledWaiterIsPassedOn) {
    PoolFixture f(sized(0, 1));
    std::optional<aio::Task<void>> b;
    auto releaser = [&]() -> Coro<void> {
        aio::Lease<FakeConnection> lease = co_await f.pool.acquire();
        f.log.add("A got #" + std::to_string(lease->id));
        co_await aio::sleep(10ms);
        lease.release(); // hands #1 to B...
        b->cancel();     // ...which is cancelled before it runs
    };
    auto a = aio::create_task(f.v.loop, releaser());
    b = f.borrow("B", 10ms);
    auto c = f.borrow("C", 10ms);
    f.v.settle(1s);
    EXPECT_EQ(outcome_of(*b), "cancelled") << "ch12.pool_wait: B ends cancelled";
    EXPECT_EQ(joined(f.log.lines), "A got #1 @0, C got #1 @10")
        << "ch12.pool_wait: the connection B was handed goes on to C, not lost";
    EXPECT_EQ(f.pool.size(), 1u) << "ch12.pool_wait: still one connection, nothing leaked";
}

TEST(Pool, UnhealthyOrStaleIdleConnectionsAreClosedAndTheNextTried) {
    FakePool::Options o = sized(2, 4);
    o.max_idle = 5s;
    PoolFixture f(o, true);
    f.run([&]() -> Coro<void> {
        co_await f.pool.open(); // #1 and #2 idle; #2 is lent first (the freshest)
        f.db.dead.insert(2);
        auto lease = co_await f.pool.acquire();
        EXPECT_EQ(lease->id, 1) << "ch12.pool_vet: #2 fails its check: #1 is tried next";
        EXPECT_EQ(f.db.closes, 1) << "ch12.pool_vet: the unhealthy one is closed";
        lease.release();
        co_await aio::sleep(6s);
        auto later = co_await f.pool.acquire();
        co_await aio::sleep(1ms); // closing runs in a task of its own
        EXPECT_EQ(later->id, 3) << "ch12.pool_vet: #1 was idle over max_idle: a new one";
        EXPECT_EQ(f.db.closes, 2) << "ch12.pool_vet: the stale one is closed";
    }());
}

TEST(Pool, MaxUsesReplacesAWornConnection) {
    FakePool::Options o = sized(0, 1);
    o.max_uses = 2;
    PoolFixture f(o);
    f.run([&]() -> Coro<void> {
        std::vector<int> ids;
        for (int i = 0; i < 3; ++i) {
            auto lease = co_await f.pool.acquire();
            ids.push_back(lease->id);
        }
        co_await aio::sleep(1ms); // closing runs in a task of its own
        EXPECT_EQ(ids, (std::vector<int>{1, 1, 2}))
            << "ch12.pool_acquire: after max_uses loans a connection is closed, not reused";
        EXPECT_EQ(f.db.closes, 1) << "ch12.pool_acquire: the worn one was closed";
    }());
}

TEST(Pool, AFailedConnectRaisesInItsAcquirerAndFreesTheSlot) {
    PoolFixture f(sized(0, 1));
    f.db.failing_connects = 1;
    f.db.connect_latency = 5ms;
    auto a = f.borrow("A", 10ms);
    auto b = f.borrow("B", 10ms);
    f.v.settle(1s);
    EXPECT_EQ(outcome_of(a), "connect: Connection refused")
        << "ch12.pool_connect_failed: the connect error comes out of A's acquire";
    EXPECT_EQ(outcome_of(b), "ok")
        << "ch12.pool_connect_failed: the freed slot lets waiting B connect";
    EXPECT_EQ(joined(f.log.lines), "B got #1 @10")
        << "ch12.pool_connect_failed: B connected at 5 ms";
}

TEST(Pool, CloseFailsWaitersClosesIdleOnesAndWaitsForLeases) {
    PoolFixture f(sized(0, 2));
    auto a = f.borrow("A", 100ms);
    auto b = f.borrow("B", 50ms);
    auto c = f.borrow("C", 10ms); // waits: A and B hold both
    std::string closed_at;
    auto closer = [&]() -> Coro<void> {
        co_await aio::sleep(5ms);
        co_await f.pool.close();
        closed_at = at(f.v);
    };
    f.v.settle(1ms);
    auto task = aio::create_task(f.v.loop, closer());
    f.v.settle(1s);
    EXPECT_EQ(outcome_of(c), "Pool is closed")
        << "ch12.pool_close: a queued waiter fails with RuntimeError \"Pool is closed\"";
    EXPECT_EQ(closed_at, "@100") << "ch12.pool_close: close() returns once A gave its lease back";
    EXPECT_EQ(f.db.closes, 2) << "ch12.pool_close: both connections closed in the end";
    EXPECT_EQ(f.db.open, 0) << "ch12.pool_close: none left open";
    auto late = f.borrow("D", 1ms);
    f.v.settle(1ms);
    EXPECT_EQ(outcome_of(late), "Pool is closed") << "ch12.pool_close: acquire after close";
}

TEST(Pool, ManyCallersNeverOpenMoreThanMaxSize) {
    PoolFixture f(sized(1, 5));
    std::mt19937_64 rng(5);
    std::vector<aio::Task<void>> tasks;
    for (int i = 0; i < 60; ++i)
        tasks.push_back(f.borrow("t" + std::to_string(i), std::chrono::milliseconds(rng() % 20)));
    f.v.settle(10s);
    EXPECT_EQ(std::count_if(tasks.begin(), tasks.end(),
                            [](const auto& t) { return outcome_of(t) == "ok"; }),
              60)
        << "ch12.pool_acquire: all 60 callers got a connection in the end";
    EXPECT_LE(f.db.peak, 5) << "ch12.pool_acquire: never more than max_size open at once";
    EXPECT_EQ(f.db.connects, 5) << "ch12.pool_hand_over: five connections, reused";
}
