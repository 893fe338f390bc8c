// Graded tests, open_connection and start_server (open_connection.cpp,
// server.cpp) on 127.0.0.1 with ephemeral ports.
#include <gtest/gtest.h>

#include <netdb.h>
#include <netinet/in.h>
#include <string>
#include <vector>

#include "streams_test_helpers.hpp"

using aio::Coro;
using aio::EventLoop;
using aio::Server;
using aio::StreamReader;
using aio::StreamWriter;
using namespace looplab;

namespace {
// The echo handler: every line back, until EOF.
Coro<void> echo(StreamReader reader, StreamWriter writer) {
    for (;;) {
        std::string line = co_await reader.readline();
        if (line.empty()) break;
        writer.write(line);
        co_await writer.drain();
    }
    writer.close();
}

Coro<std::string> refused(std::uint16_t port) {
    auto streams = co_await aio::open_connection("127.0.0.1", port);
    co_return "connected?";
}

Coro<std::string> peer_of_localhost(std::uint16_t port) {
    auto [reader, writer] = co_await aio::open_connection("localhost", port);
    co_return writer.peername();
}
} // namespace

TEST(Connect, ARefusedConnectIsConnectionRefusedError) {
    std::uint16_t port = 0;
    ::close(listen_loopback(&port)); // nobody listens there now
    EventLoop loop;
    EXPECT_THROW(run_bounded(loop, refused(port)), aio::ConnectionRefusedError)
        << "ch10.open_connection: ECONNREFUSED is ConnectionRefusedError";
}

TEST(Connect, ResolvesLocalhostAndTriesEachAddress) {
    std::uint16_t port = 0;
    int listener = listen_loopback(&port); // 127.0.0.1 only: "localhost" may say ::1 first
    EventLoop loop;
    std::string peer = run_bounded(loop, peer_of_localhost(port));
    ::close(listener);
    EXPECT_EQ(peer, "127.0.0.1:" + std::to_string(port))
        << "ch10.open_connection: resolved on the executor, the address that listens is used";
}

namespace {
Coro<std::size_t> resolve_localhost() {
    std::vector<aio::detail::Address> found = co_await aio::detail::resolve("localhost", 80);
    co_return found.size();
}

Coro<std::uint16_t> start_only() {
    Server server = co_await aio::start_server(echo);
    co_return server.port();
}
} // namespace

namespace {
// How many stream addresses the C resolver gives for host, asked directly.
std::size_t addresses_of(const char* host) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host, "80", &hints, &found) != 0) return 0;
    std::size_t count = 0;
    for (addrinfo* entry = found; entry != nullptr; entry = entry->ai_next)
        ++count;
    ::freeaddrinfo(found);
    return count;
}

Coro<std::string> resolve_invalid() {
    try {
        co_await aio::detail::resolve("nonexistent.invalid", 80);
    } catch (const std::system_error& e) {
        bool resolver = e.code().category() == aio::resolver_category();
        std::string expected =
            std::string("getaddrinfo nonexistent.invalid: ") + ::gai_strerror(e.code().value());
        co_return std::string(resolver ? "resolver category" : "another category") + ", " +
            (e.what() == expected ? "message as expected" : std::string("message ") + e.what());
    }
    co_return "no error";
}
} // namespace

TEST(Connect, ResolvesANameOnTheExecutor) {
    EventLoop loop;
    std::size_t expected = addresses_of("localhost");
    ASSERT_GE(expected, 1u) << "this machine resolves localhost";
    EXPECT_EQ(run_bounded(loop, resolve_localhost()), expected)
        << "ch10.resolve: every stream address getaddrinfo gives for localhost";
}

// ".invalid" never resolves (RFC 2606), with or without a network.
TEST(Connect, AFailedLookupIsASystemErrorOfTheResolverCategory) {
    EventLoop loop;
    EXPECT_EQ(run_bounded(loop, resolve_invalid()), "resolver category, message as expected")
        << "ch10.resolve: a failed getaddrinfo is a std::system_error with its status in "
           "aio::resolver_category(), what() \"getaddrinfo <host>: \" + gai_strerror(status)";
}

TEST(Server, StartServerListensOnAnEphemeralPort) {
    EventLoop loop;
    std::uint16_t port = run_bounded(loop, start_only());
    EXPECT_NE(port, 0) << "ch10.listen: port() is the port the system picked";
    int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    EXPECT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address), 0)
        << "ch10.listen: the server listens on 127.0.0.1 (the kernel queues the connection)";
    ::close(client);
}

namespace {
Coro<std::vector<std::string>> echo_clients(int clients) {
    Server server = co_await aio::start_server(echo);
    std::vector<aio::Task<std::string>> tasks;
    auto client = [port = server.port()](int i) -> Coro<std::string> {
        auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port);
        writer.write("hello from " + std::to_string(i) + "\n");
        std::string answer = co_await reader.readline();
        writer.close();
        co_return answer;
    };
    for (int i = 0; i < clients; ++i)
        tasks.push_back(aio::create_task(client(i)));
    std::vector<std::string> answers;
    for (aio::Task<std::string>& task : tasks)
        answers.push_back(co_await task);
    co_return answers; // the server goes with the loop
}
} // namespace

TEST(Server, EchoesLinesForManyClientsAtOnce) {
    EventLoop loop;
    std::vector<std::string> answers = run_bounded(loop, echo_clients(50));
    ASSERT_EQ(answers.size(), 50u) << "ch10.accept: one answer per client";
    for (int i = 0; i < 50; ++i)
        EXPECT_EQ(answers[i], "hello from " + std::to_string(i) + "\n")
            << "ch10.accept: each client gets its own line back";
}

namespace {
Coro<std::string> close_then_wait(std::vector<std::string>* log) {
    Server server = co_await aio::start_server(echo);
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", server.port());
    writer.write("one\n");
    log->push_back(co_await reader.readline());
    server.close();
    aio::Task<void> waiting = aio::create_task(server.wait_closed());
    co_await aio::sleep(20ms);
    log->push_back(waiting.done() ? "wait_closed done too early" : "still waiting");
    writer.write("two\n");
    log->push_back(co_await reader.readline()); // accepted connections go on
    std::string refused = "connected";
    try {
        co_await aio::open_connection("127.0.0.1", server.port());
    } catch (const aio::ConnectionRefusedError&) {
        refused = "refused";
    }
    log->push_back(refused);
    writer.close();
    co_await waiting;
    co_return "closed with " + std::to_string(server.connection_count()) + " connections";
}
} // namespace

TEST(Server, CloseStopsListeningAndWaitClosedWaitsForItsConnections) {
    EventLoop loop;
    std::vector<std::string> log;
    std::string end = run_bounded(loop, close_then_wait(&log));
    std::vector<std::string> expected{"one\n", "still waiting", "two\n", "refused"};
    EXPECT_EQ(log, expected)
        << "ch10.accept: close() stops listening; the accepted connection goes on; "
           "wait_closed waits for it";
    EXPECT_EQ(end, "closed with 0 connections")
        << "ch10.accept: wait_closed: every connection closed";
}

namespace {
Coro<void> failing_handler(StreamReader reader, StreamWriter) {
    co_await reader.readline();
    throw std::runtime_error("handler failed");
}

Coro<std::string> talk_to_failing(EventLoop& loop, RecordedReports* reports) {
    Server server = co_await aio::start_server(failing_handler);
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", server.port());
    writer.write("anything\n");
    std::string after = co_await reader.read(); // the server closes the connection
    server.close();
    co_await server.wait_closed();
    (void)loop;
    (void)reports;
    co_return after;
}
} // namespace

TEST(Server, AHandlerExceptionIsReportedOnceAndClosesItsConnection) {
    EventLoop loop;
    RecordedReports reports(loop);
    EXPECT_EQ(run_bounded(loop, talk_to_failing(loop, &reports)), "")
        << "ch10.accept: the failed handler's connection is closed (the client reads EOF)";
    ASSERT_EQ(reports.errors.size(), 1u)
        << "ch10.accept: the handler's exception is reported once (and nothing else: EAGAIN "
           "ends an accept batch quietly)";
    EXPECT_THROW(std::rethrow_exception(reports.errors[0]), std::runtime_error)
        << "the reported exception is the handler's";
}

namespace {
Coro<std::string> cancel_serve_forever() {
    Server server = co_await aio::start_server(echo);
    aio::Task<void> serving = aio::create_task(server.serve_forever());
    co_await aio::sleep(10ms);
    std::string second = "no error";
    try {
        co_await server.serve_forever();
    } catch (const aio::RuntimeError&) {
        second = "RuntimeError";
    }
    serving.cancel();
    std::string outcome = "not cancelled";
    try {
        co_await serving;
    } catch (const aio::CancelledError&) {
        outcome = "cancelled";
    }
    co_return second + ", " + outcome + ", serving=" + (server.is_serving() ? "yes" : "no");
}

// asyncio: close() cancels the future serve_forever waits on, so serve_forever
// ends with CancelledError once the server is closed, as if it were cancelled.
Coro<std::string> close_under_serve_forever() {
    Server server = co_await aio::start_server(echo);
    aio::Task<void> serving = aio::create_task(server.serve_forever());
    co_await aio::sleep(10ms);
    server.close();
    std::string outcome = "returned normally";
    try {
        co_await serving;
    } catch (const aio::CancelledError&) {
        outcome = "cancelled";
    }
    co_return outcome + ", serving=" + (server.is_serving() ? "yes" : "no");
}
} // namespace

TEST(Server, CancellingServeForeverClosesTheServer) {
    EventLoop loop;
    EXPECT_EQ(run_bounded(loop, cancel_serve_forever()), "RuntimeError, cancelled, serving=no")
        << "ch10.serve_forever: a second serve_forever is a RuntimeError; cancelling it closes "
           "the server";
    EXPECT_EQ(run_bounded(loop, close_under_serve_forever()), "cancelled, serving=no")
        << "ch10.server_close: close() from elsewhere ends serve_forever with CancelledError, "
           "as asyncio's close() cancels the future it waits on";
}
