// The client's connection pool: idle keep-alive connections per host:port and
// slots counted against the total and per-host limits, with FIFO waiters
// (aiohttp: TCPConnector.connect, _release, _available_connections).
#include "http_client.hpp"

namespace aio::http::detail {

std::size_t Pool::idle() const {
    std::size_t n = 0;
    for (const auto& [key, connections] : idle_)
        n += connections.size();
    return n;
}

bool Pool::has_room(const std::string& key) const {
    if (options_.limit && in_use_total_ >= options_.limit) return false;
    auto it = in_use_.find(key);
    return !options_.limit_per_host || it == in_use_.end() || it->second < options_.limit_per_host;
}

void Pool::take_slot(const std::string& key) {
    ++in_use_total_;
    ++in_use_[key];
}

// A freed slot goes straight to the oldest waiter it lets in, so nobody who
// arrives later can take it first (no queue jumping).
void Pool::free_slot(const std::string& key) {
    //@scratch ch11.free_slot
    //@exercise ch11.free_slot  Give the slot back; hand it to the oldest live waiter that fits.
    --in_use_total_;
    if (--in_use_[key] == 0) in_use_.erase(key);
    for (auto it = waiters_.begin(); it != waiters_.end();) {
        if (it->wake.done()) { // cancelled while waiting: gone
            it = waiters_.erase(it);
            continue;
        }
        if (has_room(it->key)) {
            take_slot(it->key);
            it->wake.set_result();
            waiters_.erase(it);
            return;
        }
        ++it;
    }
    //@end
    //@end
}

std::optional<Connection> Pool::take_idle(const std::string& key) {
    auto found = idle_.find(key);
    if (found == idle_.end()) return std::nullopt;
    std::deque<Connection>& connections = found->second;
    TimePoint now = get_running_loop().time();
    std::optional<Connection> fresh;
    while (!connections.empty() && !fresh) {
        Connection c = std::move(connections.back()); // the most recently used first
        connections.pop_back();
        if (c.reader.at_eof() || c.writer.is_closing() ||
            now - c.idle_since >= options_.keepalive_timeout)
            c.writer.close(); // closed by the server, or idle too long
        else
            fresh = std::move(c);
    }
    if (connections.empty()) idle_.erase(found);
    if (fresh) fresh->reused = true;
    return fresh;
}

Coro<void> Pool::wait_for_slot(const std::string& key) {
    Future<void> wake(get_running_loop());
    waiters_.push_back({key, wake});
    std::exception_ptr error;
    try {
        co_await wake;
    } catch (...) {
        error = std::current_exception();
    }
    if (!error) co_return;
    // Woken (a slot was handed over) and then cancelled: pass the slot on.
    if (wake.done() && !wake.cancelled()) free_slot(key);
    std::rethrow_exception(error);
}

Coro<Connection> Pool::acquire(const Url& url) {
    //@scratch ch11.acquire
    //@exercise ch11.acquire  A slot (now, or wait for one), then an idle connection or a new one; a failed connect frees the slot.
    std::string key = url.key();
    bool queue_empty = std::all_of(waiters_.begin(), waiters_.end(),
                                   [](const Waiter& w) { return w.wake.done(); });
    if (has_room(key) && queue_empty)
        take_slot(key);
    else
        co_await wait_for_slot(key);
    if (std::optional<Connection> idle = take_idle(key)) co_return std::move(*idle);
    std::exception_ptr error;
    try {
        auto [reader, writer] = co_await open_connection(url.host, url.port);
        ++opened_;
        co_return Connection{reader, writer, key};
    } catch (...) {
        error = std::current_exception(); // CancelledError too: the slot must come back
    }
    free_slot(key);
    std::rethrow_exception(error);
    //@end
    //@end
}

void Pool::release(Connection connection, bool reusable) {
    std::string key = connection.key;
    if (reusable) {
        connection.idle_since = get_running_loop().time();
        idle_[key].push_back(std::move(connection));
    } else {
        connection.writer.close();
    }
    free_slot(key);
}

void Pool::close() {
    for (auto& [key, connections] : idle_)
        for (Connection& c : connections)
            c.writer.close();
    idle_.clear();
}

} // namespace aio::http::detail
