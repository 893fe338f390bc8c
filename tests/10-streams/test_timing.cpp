// Graded timing test: 100 clients x 10 round trips through a server that
// answers each line after 20 ms, all at once, against clients one at a time.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "streams_test_helpers.hpp"
#include "timing.hpp"

using aio::Coro;
using aio::EventLoop;
using aio::Server;
using aio::StreamReader;
using aio::StreamWriter;
using namespace looplab;

namespace {

constexpr int ROUND_TRIPS = 10;

Coro<void> slow_echo(StreamReader reader, StreamWriter writer) {
    for (;;) {
        std::string line = co_await reader.readline();
        if (line.empty()) break;
        co_await aio::sleep(20ms); // the server "thinks"
        writer.write(line);
        co_await writer.drain();
    }
}

Coro<int> client(std::uint16_t port) {
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port);
    int answered = 0;
    for (int i = 0; i < ROUND_TRIPS; ++i) {
        writer.write("ping " + std::to_string(i) + "\n");
        if (co_await reader.readline() == "ping " + std::to_string(i) + "\n") ++answered;
    }
    writer.close();
    co_return answered;
}

// Every client a task, all awaited: the waits overlap.
Coro<int> all_at_once(int clients) {
    Server server = co_await aio::start_server(slow_echo);
    std::vector<aio::Task<int>> tasks;
    for (int i = 0; i < clients; ++i)
        tasks.push_back(aio::create_task(client(server.port())));
    int answered = 0;
    for (aio::Task<int>& task : tasks)
        answered += co_await task;
    server.close();
    co_return answered;
}

// One client after the other: the waits add up.
Coro<int> one_at_a_time(int clients) {
    Server server = co_await aio::start_server(slow_echo);
    int answered = 0;
    for (int i = 0; i < clients; ++i)
        answered += co_await client(server.port());
    server.close();
    co_return answered;
}

} // namespace

TEST(Timing, HundredClientsAtOnceVersusOneAtATime) {
    EventLoop loop;
    Stopwatch watch;
    int concurrent_answers = run_bounded(loop, all_at_once(100), 30s);
    double concurrent = watch.seconds();
    // One at a time, 100 clients would take 100 x 10 x 20 ms = 20 s: measure 5 and scale.
    watch.restart();
    int sequential_answers = run_bounded(loop, one_at_a_time(5), 30s);
    double sequential = watch.seconds() * 20;
    report_timing("one at a time " + fixed(sequential) +
                  " s (5 clients measured, x20) · all at once " + fixed(concurrent) +
                  " s · speedup x" + fixed(sequential / concurrent, 1));
    EXPECT_EQ(concurrent_answers, 100 * ROUND_TRIPS) << "every round trip answered, all at once";
    EXPECT_EQ(sequential_answers, 5 * ROUND_TRIPS) << "every round trip answered, one at a time";
    EXPECT_GE(sequential / concurrent, 5.0)
        << "ch10.accept: 100 clients at once must be at least 5x faster than one at a time "
           "(ideal: 100x)";
}
