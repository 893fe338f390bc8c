// The multiplexed client's parts, one exercise at a time: the Exchange state
// machine driven by hand (the test picks the poll() events from state()), then
// poll_events(), then run_exchanges.
#include <fcntl.h>
#include <poll.h>

#include "client_checks.hpp"
#include "exchange.hpp"

namespace looplab {
namespace {

using State = aio::Exchange::State;

// What a state waits for, as the test knows it (poll_events() is an exercise of its own).
short events_for(State state) {
    return state == State::READING ? POLLIN : POLLOUT;
}

// Waits up to `limit` for the exchange's fd, then hands the revents to on_ready().
// Returns false when nothing happened in time.
bool step(aio::Exchange& exchange, std::chrono::milliseconds limit = std::chrono::seconds(3)) {
    pollfd entry{exchange.fd(), events_for(exchange.state()), 0};
    int ready = ::poll(&entry, 1, static_cast<int>(limit.count()));
    if (ready <= 0) return false;
    exchange.on_ready(entry.revents);
    return true;
}

// Steps until the exchange reaches `target` (or is done); false if it stalls.
bool drive_until(aio::Exchange& exchange, State target) {
    for (int steps = 0; steps < 100000; ++steps) {
        if (exchange.state() == target || exchange.done()) return exchange.state() == target;
        if (!step(exchange)) return false;
    }
    return false;
}

TEST(Exchange, StartBeginsANonBlockingConnect) {
    SlowServer server({.delay = std::chrono::milliseconds(20)});
    aio::Exchange exchange(server.port(), "hello", 0);
    ASSERT_EQ(exchange.state(), State::IDLE) << "a new exchange is IDLE until start()";
    exchange.start();
    ASSERT_GE(exchange.fd(), 0) << "ch00.mux_connect: start() opens the exchange's socket";
    EXPECT_TRUE(::fcntl(exchange.fd(), F_GETFL) & O_NONBLOCK)
        << "ch00.mux_connect: the socket must be non-blocking (tcp_socket(true))";
    EXPECT_TRUE(exchange.state() == State::CONNECTING || exchange.state() == State::WRITING)
        << "ch00.mux_connect: EINPROGRESS means connecting, an instant success writing";
    pollfd entry{exchange.fd(), POLLOUT, 0};
    ASSERT_EQ(::poll(&entry, 1, 3000), 1)
        << "ch00.mux_connect: the socket turns writable when the handshake ends";
    int error = -1;
    socklen_t length = sizeof error;
    ::getsockopt(exchange.fd(), SOL_SOCKET, SO_ERROR, &error, &length);
    EXPECT_EQ(error, 0) << "ch00.mux_connect: connect to 127.0.0.1 on the exchange's port";
}

TEST(Exchange, WritableSendsTheWholeRequest) {
    SlowServer server({.delay = std::chrono::milliseconds(500)});
    std::string request(6 << 20, 'w'); // 6 MiB: no single send() takes it all
    aio::Exchange exchange(server.port(), request, 0);
    exchange.start();
    ASSERT_TRUE(drive_until(exchange, State::READING))
        << "ch00.mux_write: after the handshake, send until every byte of the request and its "
           "newline is out, then switch to reading (on EAGAIN, return and wait for POLLOUT)";
    Stopwatch waited; // the server reads the rest of the line from its socket buffer
    while (server.peak_concurrency() == 0 && waited.seconds() < 5 * slowdown)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(server.peak_concurrency(), 1)
        << "ch00.mux_write: the server must have received the whole line, newline included";
}

TEST(Exchange, WritableAfterARefusedConnectNamesConnect) {
    aio::Exchange exchange(unused_port(), "hello", 2);
    try {
        exchange.start(); // usually EINPROGRESS, even when nothing listens
        for (int i = 0; i < 10 && step(exchange); ++i) {
        }
        ADD_FAILURE() << "ch00.mux_write: nothing listens there: throw the connect's error";
    } catch (const std::system_error& error) {
        EXPECT_NE(std::string(error.what()).find("connect"), std::string::npos)
            << "ch00.mux_write: writable while connecting: read SO_ERROR and throw it as a "
               "std::system_error naming \"connect\"; got: "
            << error.what();
        EXPECT_EQ(error.code(), std::errc::connection_refused)
            << "ch00.mux_write: the error code is SO_ERROR's value, not errno; got: "
            << error.what();
    }
}

TEST(Exchange, ReadableCollectsTheAnswerUpToTheNewline) {
    SlowServer server({.delay = std::chrono::milliseconds(20)});
    std::string request(1 << 20, 'r'); // a 1 MiB answer arrives in many pieces
    aio::Exchange exchange(server.port(), request, 0);
    exchange.start();
    ASSERT_TRUE(drive_until(exchange, State::DONE))
        << "ch00.mux_read: receive what arrived on each POLLIN, until the newline";
    EXPECT_TRUE(exchange.answer() == SlowServer::answer_for(request))
        << "ch00.mux_read: the answer is every byte before the newline; got "
        << exchange.answer().size() << " bytes, expected " << request.size() + 4;
    EXPECT_LT(exchange.fd(), 0) << "ch00.mux_read: close the socket as soon as the answer is in";
}

TEST(Exchange, ReadableReportsAServerThatHangsUp) {
    SlowServer server({.delay = std::chrono::milliseconds(20), .close_mid_answer = true});
    aio::Exchange exchange(server.port(), "hello", 3);
    exchange.start();
    try {
        drive_until(exchange, State::DONE);
        ADD_FAILURE() << "ch00.mux_read: the server hung up mid-answer: throw";
    } catch (const aio::Error& error) {
        EXPECT_NE(std::string(error.what()).find("request 3"), std::string::npos)
            << "ch00.mux_read: recv() == 0 before the newline: throw "
               "aio::closed_mid_answer(bytes, index); got: "
            << error.what();
    }
}

TEST(Exchange, PollEventsFollowTheState) {
    SlowServer server({.delay = std::chrono::milliseconds(20)});
    aio::Exchange exchange(server.port(), "hello", 0);
    EXPECT_EQ(exchange.poll_events(), 0) << "ch00.mux_events: idle waits for nothing";
    exchange.start();
    for (int steps = 0; !exchange.done() && steps < 1000; ++steps) {
        short expected = events_for(exchange.state());
        ASSERT_EQ(exchange.poll_events(), expected)
            << "ch00.mux_events: connecting and writing wait for POLLOUT, reading for POLLIN "
               "(state "
            << static_cast<int>(exchange.state()) << ")";
        ASSERT_TRUE(step(exchange))
            << "ch00.mux_write, ch00.mux_read: the exchange made no progress in 3 s";
    }
    EXPECT_EQ(exchange.poll_events(), 0) << "ch00.mux_events: done waits for nothing";
}

TEST(RunExchanges, DrivesEveryExchangeToItsEnd) {
    SlowServer server({.delay = std::chrono::milliseconds(300)});
    std::vector<std::string> requests = numbered_requests(12);
    std::vector<aio::Exchange> exchanges;
    for (std::size_t i = 0; i < requests.size(); ++i)
        exchanges.emplace_back(server.port(), requests[i], i);
    std::vector<int> finished(requests.size(), 0);
    aio::run_exchanges(exchanges, [&](const aio::Exchange& exchange) {
        EXPECT_TRUE(exchange.done()) << "ch00.poll_loop: on_done gets finished exchanges only";
        ++finished[exchange.index()];
    });
    for (std::size_t i = 0; i < exchanges.size(); ++i) {
        EXPECT_TRUE(exchanges[i].done()) << "ch00.poll_loop: return only when all are done";
        EXPECT_EQ(exchanges[i].answer(), SlowServer::answer_for(requests[i]))
            << "ch00.poll_loop: exchange " << i << " has the wrong answer";
        EXPECT_EQ(finished[i], 1) << "ch00.poll_loop: call on_done once per exchange, when it "
                                     "finishes (exchange "
                                  << i << ")";
    }
    EXPECT_EQ(server.peak_concurrency(), 12)
        << "ch00.poll_loop: start every exchange before the first poll(), so all are in flight";
    std::vector<aio::Exchange> none;
    aio::run_exchanges(none); // nothing to wait for: returns at once
}

TEST(RunExchanges, ThrowsTheFirstError) {
    std::vector<aio::Exchange> exchanges;
    exchanges.emplace_back(unused_port(), "a", 0);
    try {
        aio::run_exchanges(exchanges);
        ADD_FAILURE() << "ch00.poll_loop: a refused connection must end run_exchanges with it";
    } catch (const std::system_error& error) {
        EXPECT_EQ(error.code(), std::errc::connection_refused)
            << "ch00.poll_loop: let the exchange's error through; got: " << error.what();
    }
}

} // namespace
} // namespace looplab
