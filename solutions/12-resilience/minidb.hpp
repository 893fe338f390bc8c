// minidb: the chapter's small database, so the pool has a real server to
// pool connections to (given code). A line protocol over TCP on 127.0.0.1:
// one request line in, one line out (JSON, or "ERR <why>").
//
//   PING                   {"pong":true}
//   SELECT <limit> <offset> {"rows":[{"id":1,"name":"user1"},...],"total":100}
//   GET <id>               {"id":7,"name":"user7"}        (ERR not found: 7)
//   INSERT <name>          {"id":101}
//   SLEEP <ms>             {"slept":250}                   (a slow query)
//   QUIT                   the server closes the connection
//   anything else          ERR syntax: <the line>
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "json.hpp"
#include "streams.hpp"

namespace aio::minidb {

struct DbError : Error { // an "ERR ..." answer
    using Error::Error;
};

struct ServerOptions {
    Duration latency{};              // added to every query (on the loop's clock)
    std::size_t users = 100;         // rows in the users table: user1 ... userN
    std::size_t max_connections = 0; // 0: no limit; above it: "ERR too many connections"
    int fail_every = 0;              // every Nth query answers "ERR transient"
};

namespace detail {
struct DbState;
}

class Server { // a copyable handle; runs on the loop that called serve()
public:
    std::uint16_t port() const;
    void close();
    Coro<void> wait_closed();
    std::size_t connections() const;      // open now
    std::size_t peak_connections() const; // the most at once
    std::size_t queries() const;          // answered so far
    std::size_t connects() const;         // accepted so far
    void drop_connections();              // a restart: every open connection is cut

    explicit Server(std::shared_ptr<detail::DbState> state) : state_(std::move(state)) {}

private:
    std::shared_ptr<detail::DbState> state_;
};

Coro<Server> serve(ServerOptions options = {}, std::string host = "127.0.0.1",
                   std::uint16_t port = 0);

// A client connection: one query at a time. Movable, so a Pool can hold it.
class Connection {
public:
    static Coro<Connection> connect(std::string host, std::uint16_t port);
    // DbError for an ERR answer; ConnectionResetError when the server is gone.
    Coro<json::Value> query(std::string line);
    Coro<bool> ping(); // false instead of an error: a pool's health check
    Coro<void> close();
    bool closed() const { return closed_; }

private:
    Connection(StreamReader reader, StreamWriter writer)
        : reader_(std::move(reader)), writer_(std::move(writer)) {}

    StreamReader reader_;
    StreamWriter writer_;
    bool closed_ = false;
};

// The source articles' exercise 6.1: every row of the users table, one page
// (SELECT page_size offset) at a time, in id order.
Coro<std::vector<json::Value>> select_all(Connection& connection, std::size_t page_size);

} // namespace aio::minidb
