// minidb's client connection (given), and the source articles' exercise 6.1:
// reading a whole table a page at a time.
#include "minidb.hpp"

namespace aio::minidb {

Coro<Connection> Connection::connect(std::string host, std::uint16_t port) {
    auto [reader, writer] = co_await open_connection(host, port);
    co_return Connection(reader, writer);
}

Coro<json::Value> Connection::query(std::string line) {
    if (closed_) throw RuntimeError("minidb: query on a closed connection");
    //@scratch ch12.db_query
    //@exercise ch12.db_query  Send the line, read one answer line: EOF, an ERR, or JSON.
    writer_.write(line + "\n");
    co_await writer_.drain();
    std::string answer = co_await reader_.readline();
    if (answer.empty()) throw ConnectionResetError("minidb: the server closed the connection");
    if (answer.back() == '\n') answer.pop_back();
    if (answer.rfind("ERR ", 0) == 0) throw DbError("minidb: " + answer.substr(4));
    co_return json::parse(answer);
    //@end
    //@end
}

Coro<bool> Connection::ping() {
    //@scratch ch12.db_ping
    //@exercise ch12.db_ping  PING it: any kit error means false, not an exception.
    bool alive = true;
    try {
        co_await query("PING");
    } catch (const Error&) {
        alive = false; // reset, refused, an ERR: not fit to lend
    }
    co_return alive;
    //@end
    //@end
}

Coro<void> Connection::close() {
    //@scratch ch12.db_close
    //@exercise ch12.db_close  Close once: mark it closed, close the writer, wait until it is.
    if (closed_) co_return;
    closed_ = true;
    writer_.close();
    co_await writer_.wait_closed();
    //@end
    //@end
}

Coro<std::vector<json::Value>> select_all(Connection& connection, std::size_t page_size) {
    if (page_size == 0) throw ValueError("select_all: page_size must be at least 1");
    std::vector<json::Value> rows;
    //@scratch ch12.select_all
    //@exercise ch12.select_all  Page through the table with SELECT until a page comes back short.
    for (std::size_t offset = 0;; offset += page_size) {
        std::string select = "SELECT " + std::to_string(page_size) + " " + std::to_string(offset);
        json::Value page = co_await connection.query(select);
        for (const json::Value& row : page["rows"].as_array())
            rows.push_back(row);
        if (page["rows"].size() < page_size) break;
    }
    //@end
    //@end
    co_return rows;
}

} // namespace aio::minidb
