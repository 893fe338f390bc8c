// minidb's server (given code): an in-memory users table behind chapter 10's
// start_server, one task per connection reading request lines.
#include <algorithm>
#include <charconv>
#include <list>
#include <sstream>

#include "minidb.hpp"
#include "task.hpp" // sleep

namespace aio::minidb {

namespace detail {

struct DbState {
    ServerOptions options;
    std::vector<json::Value> users;
    std::optional<aio::Server> server;
    std::list<StreamWriter> open; // the connections now open, to cut them on demand
    std::size_t peak = 0, queries = 0, connects = 0;
};

namespace {

json::Value user(std::int64_t id, std::string name) {
    return json::Value::object({{"id", id}, {"name", std::move(name)}});
}

std::optional<std::int64_t> number(const std::string& word) {
    std::int64_t value = 0;
    auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
    if (error != std::errc() || end != word.data() + word.size() || value < 0) return std::nullopt;
    return value;
}

json::Value select(const DbState& db, std::int64_t limit, std::int64_t offset) {
    json::Value rows = json::Value::array();
    auto total = static_cast<std::int64_t>(db.users.size());
    for (std::int64_t i = offset; i < std::min(total, offset + limit); ++i)
        rows.push_back(db.users[static_cast<std::size_t>(i)]);
    return json::Value::object({{"rows", rows}, {"total", total}});
}

// One request line to its answer line; SLEEP waits, so this is a coroutine.
Coro<std::string> answer(DbState& db, const std::string& line) {
    std::istringstream words(line);
    std::string verb, a, b, extra;
    words >> verb >> a >> b >> extra;
    auto x = number(a), y = number(b);
    if (verb == "PING" && a.empty()) co_return json::Value::object({{"pong", true}}).dump();
    if (verb == "SELECT" && x && y && extra.empty()) co_return select(db, *x, *y).dump();
    if (verb == "GET" && x && b.empty()) {
        if (*x < 1 || *x > static_cast<std::int64_t>(db.users.size()))
            co_return "ERR not found: " + a;
        co_return db.users[static_cast<std::size_t>(*x - 1)].dump();
    }
    if (verb == "INSERT" && !a.empty() && b.empty()) {
        auto id = static_cast<std::int64_t>(db.users.size() + 1);
        db.users.push_back(user(id, a));
        co_return json::Value::object({{"id", id}}).dump();
    }
    if (verb == "SLEEP" && x && b.empty()) {
        co_await aio::sleep(std::chrono::milliseconds(*x));
        co_return json::Value::object({{"slept", *x}}).dump();
    }
    co_return "ERR syntax: " + line;
}

Coro<void> session(std::shared_ptr<DbState> db, StreamReader reader, StreamWriter writer) {
    auto self = db->open.insert(db->open.end(), writer);
    ++db->connects;
    db->peak = std::max(db->peak, db->open.size());
    try {
        if (db->options.max_connections != 0 && db->open.size() > db->options.max_connections) {
            writer.write("ERR too many connections\n");
        } else {
            for (std::string line = co_await reader.readline(); !line.empty();
                 line = co_await reader.readline()) {
                while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
                    line.pop_back();
                if (line == "QUIT") break;
                ++db->queries;
                bool fail = db->options.fail_every > 0 &&
                            db->queries % static_cast<std::size_t>(db->options.fail_every) == 0;
                if (db->options.latency > Duration::zero())
                    co_await aio::sleep(db->options.latency);
                std::string reply = "ERR transient";
                if (!fail) reply = co_await answer(*db, line);
                writer.write(reply + "\n");
                co_await writer.drain();
            }
        }
    } catch (const Error&) {
        // the client went away mid-query: nothing to answer
    }
    db->open.erase(self);
    writer.close();
}

} // namespace

} // namespace detail

Coro<Server> serve(ServerOptions options, std::string host, std::uint16_t port) {
    auto db = std::make_shared<detail::DbState>();
    db->options = options;
    for (std::size_t i = 1; i <= options.users; ++i)
        db->users.push_back(detail::user(static_cast<std::int64_t>(i), "user" + std::to_string(i)));
    std::weak_ptr<detail::DbState> weak = db;
    ClientHandler handler = [weak](StreamReader reader, StreamWriter writer) -> Coro<void> {
        if (auto state = weak.lock()) co_await detail::session(state, reader, writer);
    };
    db->server = co_await start_server(handler, host, port);
    co_return Server(db);
}

std::uint16_t Server::port() const {
    return state_->server->port();
}
void Server::close() {
    state_->server->close();
    drop_connections();
}
Coro<void> Server::wait_closed() {
    co_await state_->server->wait_closed();
}
std::size_t Server::connections() const {
    return state_->open.size();
}
std::size_t Server::peak_connections() const {
    return state_->peak;
}
std::size_t Server::queries() const {
    return state_->queries;
}
std::size_t Server::connects() const {
    return state_->connects;
}

void Server::drop_connections() {
    std::list<StreamWriter> cut = state_->open; // each session erases itself as it ends
    for (StreamWriter& writer : cut)
        writer.transport()->abort(
            std::make_exception_ptr(ConnectionResetError("minidb: restarted")));
}

} // namespace aio::minidb
