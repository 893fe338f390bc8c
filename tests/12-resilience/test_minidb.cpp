// minidb and the pool over it: the line protocol, pagination (the source
// articles' exercise 6.1 with a pool and a query timeout), a server restart
// caught by the health check. Real sockets on 127.0.0.1, real time (short).
#include <gtest/gtest.h>

#include "combinators.hpp"
#include "minidb.hpp"
#include "pool.hpp"
#include "resilience_test_helpers.hpp"

using namespace looplab;
using aio::Coro;
using aio::minidb::Connection;
namespace minidb = aio::minidb;

namespace {

using DbPool = aio::Pool<Connection>;

// A pool of minidb connections to `port` (asyncpg's create_pool).
std::unique_ptr<DbPool> make_pool(std::uint16_t port, DbPool::Options options, bool check) {
    auto connect = [port] { return Connection::connect("127.0.0.1", port); };
    std::function<Coro<bool>(Connection&)> healthy;
    if (check) healthy = [](Connection& c) { return c.ping(); };
    auto close = [](Connection& c) { return c.close(); };
    return std::make_unique<DbPool>(connect, healthy, options, close);
}

std::vector<std::int64_t> ids_of(const std::vector<aio::json::Value>& rows) {
    std::vector<std::int64_t> ids;
    for (const auto& row : rows)
        ids.push_back(row["id"].as_int());
    return ids;
}

} // namespace

TEST(MiniDb, AnswersItsLineProtocol) {
    aio::run([]() -> Coro<void> {
        minidb::Server server = co_await minidb::serve({.users = 3});
        Connection c = co_await Connection::connect("127.0.0.1", server.port());
        EXPECT_TRUE((co_await c.query("PING"))["pong"].as_bool())
            << "ch12.db_query: PING answers {\"pong\":true}";
        EXPECT_EQ((co_await c.query("GET 2"))["name"].as_string(), "user2")
            << "ch12.db_query: GET 2 answers user2's row";
        EXPECT_EQ((co_await c.query("INSERT ada"))["id"].as_int(), 4)
            << "ch12.db_query: INSERT answers the new id";
        aio::json::Value page = co_await c.query("SELECT 2 1");
        EXPECT_EQ(page["rows"].size(), 2u) << "ch12.db_query: SELECT 2 1: two rows from offset 1";
        EXPECT_EQ(page["total"].as_int(), 4)
            << "ch12.db_query: SELECT says how many rows there are";
        std::string error;
        try {
            co_await c.query("DROP TABLE users");
        } catch (const minidb::DbError& e) {
            error = e.what();
        }
        EXPECT_EQ(error, "minidb: syntax: DROP TABLE users")
            << "ch12.db_query: an ERR answer is a DbError \"minidb: \" + what follows ERR";
        EXPECT_EQ((co_await c.query("GET 1"))["id"].as_int(), 1)
            << "ch12.db_query: the connection is still usable after an ERR";
        server.close(); // cuts c too
        co_await server.wait_closed();
        EXPECT_EQ(server.queries(), 6u) << "ch12.db_query: one line per query";
    }());
}

TEST(MiniDb, APingSaysWhetherTheConnectionIsAlive) {
    aio::run([]() -> Coro<void> {
        minidb::Server server = co_await minidb::serve({.users = 1});
        Connection c = co_await Connection::connect("127.0.0.1", server.port());
        EXPECT_TRUE(co_await c.ping()) << "ch12.db_ping: a live connection answers PING: true";
        server.drop_connections();
        co_await aio::sleep(20ms);
        EXPECT_FALSE(co_await c.ping())
            << "ch12.db_ping: a connection the server cut: false, not an exception";
        std::string error;
        try {
            co_await c.query("PING");
        } catch (const aio::ConnectionError& e) {
            error = e.what();
        }
        EXPECT_NE(error, "") << "ch12.db_query: a query on a cut connection: a ConnectionError";
        server.close();
        co_await server.wait_closed();
    }());
}

TEST(MiniDb, CloseClosesOnceAndTheServerSeesIt) {
    aio::run([]() -> Coro<void> {
        minidb::Server server = co_await minidb::serve({.users = 1});
        Connection c = co_await Connection::connect("127.0.0.1", server.port());
        co_await aio::sleep(10ms);
        EXPECT_EQ(server.connections(), 1u) << "the server holds the connection";
        co_await c.close();
        EXPECT_TRUE(c.closed()) << "ch12.db_close: closed() after close()";
        co_await c.close(); // a second close does nothing
        co_await aio::sleep(10ms);
        EXPECT_EQ(server.connections(), 0u) << "ch12.db_close: the server saw it close";
        server.close();
        co_await server.wait_closed();
    }());
}

TEST(MiniDb, SelectAllPagesThroughTheWholeTable) {
    aio::run([]() -> Coro<void> {
        minidb::Server server = co_await minidb::serve({.users = 95});
        Connection c = co_await Connection::connect("127.0.0.1", server.port());
        std::vector<aio::json::Value> rows = co_await minidb::select_all(c, 10);
        EXPECT_EQ(rows.size(), 95u) << "ch12.select_all: every row of the 95, once";
        std::vector<std::int64_t> ids = ids_of(rows), expected;
        for (std::int64_t id = 1; id <= 95; ++id)
            expected.push_back(id);
        EXPECT_EQ(ids, expected) << "ch12.select_all: in id order, no page twice, none skipped";
        EXPECT_EQ(server.queries(), 10u) << "ch12.select_all: 10 pages of 10 (the last short)";
        std::vector<aio::json::Value> exact = co_await minidb::select_all(c, 5);
        EXPECT_EQ(exact.size(), 95u) << "ch12.select_all: page size 5 divides 95: still all";
        server.close();
        co_await server.wait_closed();
    }());
}

// The source articles' exercise 6.1: a paginated read of the table by many
// tasks through a pool of 3 connections, and a slow query cut by a timeout.
TEST(Exercise61, PaginationThroughAPoolWithAQueryTimeout) {
    aio::run([]() -> Coro<void> {
        minidb::Server server = co_await minidb::serve({.latency = 1ms, .users = 50});
        DbPool::Options options;
        options.min_size = 1;
        options.max_size = 3;
        std::unique_ptr<DbPool> pool = make_pool(server.port(), options, false);
        co_await pool->open();
        auto slow = [&]() -> Coro<std::string> {
            aio::Lease<Connection> lease = co_await pool->acquire();
            std::string outcome = "answered";
            try {
                co_await aio::timeout(50ms, lease->query("SLEEP 2000"));
            } catch (const aio::TimeoutError&) {
                outcome = "timed out";
                lease.discard(); // its answer may still come: the connection is unusable
            }
            co_return outcome;
        };
        std::string slow_outcome = co_await slow();
        auto reader = [&]() -> Coro<std::size_t> {
            aio::Lease<Connection> lease = co_await pool->acquire();
            std::vector<aio::json::Value> rows = co_await minidb::select_all(*lease, 20);
            co_return rows.size();
        };
        std::vector<aio::Future<std::size_t>> readers;
        for (int i = 0; i < 8; ++i)
            readers.push_back(aio::create_task(reader()));
        auto sizes = co_await aio::gather(readers);
        for (std::size_t size : sizes)
            EXPECT_EQ(size, 50u) << "ch12.select_all: every reader got all 50 rows";
        EXPECT_EQ(slow_outcome, "timed out") << "the 2 s query is cut at 50 ms";
        EXPECT_LE(server.peak_connections(), 4u)
            << "ch12.pool_acquire: at most max_size connections at the server, plus the "
               "discarded one, which the server (asleep in its SLEEP 2000) has not seen close";
        EXPECT_LE(pool->size(), 3u) << "ch12.pool_acquire: the pool itself stays at max_size";
        EXPECT_LE(server.connects(), 4u)
            << "ch12.pool_hand_over: connections are reused (3, plus one for the discarded)";
        co_await pool->close();
        EXPECT_EQ(pool->size(), 0u) << "ch12.pool_close: nothing left open";
        server.close();
        co_await server.wait_closed();
    }());
}

TEST(MiniDb, TheHealthCheckCatchesAServerRestart) {
    aio::run([]() -> Coro<void> {
        minidb::Server server = co_await minidb::serve({.users = 5});
        DbPool::Options options;
        options.min_size = 2;
        options.max_size = 2;
        std::unique_ptr<DbPool> pool = make_pool(server.port(), options, true);
        co_await pool->open();
        server.drop_connections(); // both idle connections die
        co_await aio::sleep(20ms);
        aio::Lease<Connection> lease = co_await pool->acquire();
        aio::json::Value answer = co_await lease->query("GET 1");
        EXPECT_EQ(answer["name"].as_string(), "user1")
            << "ch12.pool_vet: the dead idle connections fail their ping and a new one "
               "is connected";
        EXPECT_EQ(server.connects(), 3u) << "ch12.pool_vet: 2 at open, 1 after the restart";
        lease.release();
        co_await pool->close();
        server.close();
        co_await server.wait_closed();
    }());
}
