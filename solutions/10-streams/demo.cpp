// Chapter 10 on the projector: an echo server, then a chat room where every
// line is broadcast to every other client, driven by scripted clients, with
// the server's live connection count as they come and go.
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "streams.hpp"
#include "task.hpp"

using namespace std::chrono_literals;
using aio::Coro;
using aio::Server;
using aio::StreamReader;
using aio::StreamWriter;

namespace {

Coro<void> echo(StreamReader reader, StreamWriter writer) {
    for (std::string line; !(line = co_await reader.readline()).empty();) {
        writer.write(line);
        co_await writer.drain();
    }
    writer.close();
}

Coro<void> echo_client(std::uint16_t port, std::string text) {
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port);
    writer.write(text + "\n");
    std::string back = co_await reader.readline();
    std::printf("  %-22s sent %-12s got back %s", writer.peername().c_str(), text.c_str(),
                back.c_str());
    writer.close();
}

Coro<void> echo_part() {
    Server server = co_await aio::start_server(echo);
    std::printf("echo server on 127.0.0.1:%u\n", server.port());
    std::vector<aio::Task<void>> clients;
    for (std::string text : {"hello", "bonjour", "hallo"})
        clients.push_back(aio::create_task(echo_client(server.port(), text)));
    for (aio::Task<void>& client : clients)
        co_await client;
    server.close();
    co_await server.wait_closed();
}

// The chat room: every connected client's writer, by name.
struct Room {
    std::map<std::string, StreamWriter> members;
    void broadcast(const std::string& from, const std::string& text) {
        for (auto& [name, writer] : members)
            if (name != from) writer.write(from + ": " + text);
    }
};

Coro<void> chat_member(std::shared_ptr<Room> room, StreamReader reader, StreamWriter writer) {
    std::string hello = co_await reader.readline(); // the first line is the name
    std::string name = hello.substr(0, hello.size() - 1);
    room->members.emplace(name, writer);
    room->broadcast(name, "(joined)\n");
    for (std::string line; !(line = co_await reader.readline()).empty();)
        room->broadcast(name, line);
    room->members.erase(name);
    room->broadcast(name, "(left)\n");
    writer.close();
}

// A scripted client: joins after `delay`, says its lines, listens a while, leaves.
Coro<void> chatter(std::uint16_t port, std::string name, aio::Duration delay, aio::Duration stay,
                   std::vector<std::string> lines) {
    co_await aio::sleep(delay);
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port);
    writer.write(name + "\n");
    auto listen = [](std::string me, StreamReader from) -> Coro<void> {
        for (std::string line; !(line = co_await from.readline()).empty();)
            std::printf("    %-6s hears  %s", me.c_str(), line.c_str());
    };
    aio::Task<void> listening = aio::create_task(listen(name, reader));
    for (const std::string& line : lines) {
        co_await aio::sleep(60ms);
        writer.write(line + "\n");
    }
    co_await aio::sleep(stay);
    writer.close();
    co_await listening;
}

Coro<void> chat_part() {
    auto room = std::make_shared<Room>();
    auto handler = [room](StreamReader reader, StreamWriter writer) {
        return chat_member(room, std::move(reader), std::move(writer));
    };
    Server server = co_await aio::start_server(handler);
    std::printf("\nchat room on 127.0.0.1:%u\n", server.port());
    std::vector<aio::Task<void>> clients;
    clients.push_back(aio::create_task(chatter(server.port(), "alice", 0ms, 400ms, {"hi all"})));
    clients.push_back(
        aio::create_task(chatter(server.port(), "bob", 30ms, 100ms, {"hey alice", "bye"})));
    clients.push_back(
        aio::create_task(chatter(server.port(), "carol", 250ms, 100ms, {"am I late?"})));
    std::size_t shown = 99;
    for (int tick = 0; tick < 30; ++tick) { // the live connection count, when it changes
        if (server.connection_count() != shown) {
            shown = server.connection_count();
            std::printf("  [t=%3d ms] live connections: %zu\n", tick * 20, shown);
        }
        co_await aio::sleep(20ms);
    }
    for (aio::Task<void>& client : clients)
        co_await client;
    server.close();
    co_await server.wait_closed();
    std::printf("  [end]      live connections: %zu\n", server.connection_count());
}

Coro<void> demo() {
    co_await echo_part();
    co_await chat_part();
}

} // namespace

int main() {
    aio::run(demo());
}
