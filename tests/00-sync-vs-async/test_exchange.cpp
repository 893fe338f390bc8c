// The multiplexed client's parts, one exercise at a time: the Exchange state
// machine driven by hand (the test picks the poll() events from state()), then
// poll_events(), then run_exchanges.
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <time.h>

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

// A listening socket on 127.0.0.1 and an ephemeral port; the port goes to `port`.
aio::UniqueFd listen_on_loopback(std::uint16_t& port) {
    aio::UniqueFd listener = aio::tcp_socket();
    sockaddr_in address = aio::loopback_address(0);
    socklen_t length = sizeof address;
    if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener.get(), 1) != 0 ||
        ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0)
        throw std::system_error(errno, std::generic_category(), "listen_on_loopback");
    port = ntohs(address.sin_port);
    return listener;
}

// A peer that reads nothing yet: the socket buffers fill up, and then send() says
// EAGAIN, which means "wait for the next POLLOUT". Called again and again without
// waiting, the exchange must meet it and keep its place.
TEST(Exchange, WritableWithAFullBufferWaits) {
    std::uint16_t port = 0;
    aio::UniqueFd listener = listen_on_loopback(port);
    std::string request(6 << 20, 'f'); // 6 MiB: more than the two socket buffers hold
    aio::Exchange exchange(port, request, 0);
    exchange.start();
    aio::UniqueFd peer(::accept(listener.get(), nullptr, nullptr));
    ASSERT_TRUE(step(exchange)) << "ch00.mux_connect: the handshake should end";
    try {
        for (int calls = 0; calls < 50; ++calls)
            exchange.on_ready(POLLOUT); // the peer reads nothing: the buffers are full
    } catch (const aio::NotImplemented&) {
        throw;
    } catch (const std::exception& error) {
        FAIL() << "ch00.mux_write: a full socket buffer (send() fails with EAGAIN) means "
                  "\"wait for the next POLLOUT\", not an error; got: "
               << error.what();
    }
    EXPECT_EQ(exchange.state(), State::WRITING)
        << "ch00.mux_write: the peer has read nothing, so 6 MiB cannot all be out yet";
    std::size_t received = 0;
    std::thread reader([&] { // now the peer reads, up to the newline
        char buffer[65536];
        for (bool newline = false; !newline;) {
            ssize_t n = ::recv(peer.get(), buffer, sizeof buffer, 0);
            if (n <= 0) return;
            received += static_cast<std::size_t>(n);
            newline = std::memchr(buffer, '\n', static_cast<std::size_t>(n)) != nullptr;
        }
    });
    bool sent = drive_until(exchange, State::READING);
    if (!sent) ::shutdown(peer.get(), SHUT_RDWR); // let the reader go
    reader.join();
    ASSERT_TRUE(sent) << "ch00.mux_write: the rest of the line goes out on later POLLOUTs";
    EXPECT_EQ(received, request.size() + 1)
        << "ch00.mux_write: every byte of the line once, then its newline";
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

// A peer that accepts and closes at once: the exchange's writes then meet a reset
// connection. Without MSG_NOSIGNAL the kernel raises SIGPIPE, whose default action
// kills the process; test_main ignores SIGPIPE, so the check runs in a child that
// restores the default action first.
void write_to_a_peer_that_hung_up() {
    ::signal(SIGPIPE, SIG_DFL);
    std::uint16_t port = 0;
    aio::UniqueFd listener = listen_on_loopback(port);
    aio::Exchange exchange(port, std::string(6 << 20, 'p'), 0);
    exchange.start();
    ::close(::accept(listener.get(), nullptr, nullptr)); // the peer hangs up at once
    try {
        for (int i = 0; i < 1000 && exchange.state() != State::READING; ++i)
            if (!step(exchange)) std::_Exit(4); // stalled
    } catch (const std::system_error&) {
        std::_Exit(0); // the reset reported as an error: right
    }
    std::_Exit(5); // the whole 6 MiB "sent" to a closed peer
}

TEST(Exchange, WritingToAPeerThatHungUpIsAnErrorNotADeath) {
    EXPECT_EXIT(write_to_a_peer_that_hung_up(), ::testing::ExitedWithCode(0), "")
        << "ch00.mux_write: writing to a peer that hung up must throw a std::system_error "
           "(send: Broken pipe or Connection reset); killed by signal 13 (SIGPIPE) means the "
           "send() lacked MSG_NOSIGNAL";
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

TEST(Exchange, ReadableWithNothingToReadWaits) {
    SlowServer server({.delay = std::chrono::milliseconds(300)});
    aio::Exchange exchange(server.port(), "patience", 0);
    exchange.start();
    ASSERT_TRUE(drive_until(exchange, State::READING))
        << "ch00.mux_connect, ch00.mux_write: the request should be sent";
    // The server thinks for 300 ms: nothing to read yet, recv() says EAGAIN.
    try {
        exchange.on_ready(POLLIN);
    } catch (const aio::NotImplemented&) {
        throw;
    } catch (const std::exception& error) {
        FAIL() << "ch00.mux_read: a readable event with nothing to read yet (EAGAIN) means "
                  "\"wait for the next one\", not an error; got: "
               << error.what();
    }
    EXPECT_EQ(exchange.state(), State::READING)
        << "ch00.mux_read: with nothing received the exchange is still reading";
    ASSERT_TRUE(drive_until(exchange, State::DONE))
        << "ch00.mux_read: the answer arrives later: receive it then";
    EXPECT_EQ(exchange.answer(), SlowServer::answer_for("patience"))
        << "ch00.mux_read: the answer, without its newline";
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

TEST(RunExchanges, ASignalDuringTheWaitIsNotAnError) {
    SlowServer server({.delay = std::chrono::milliseconds(300)});
    std::vector<aio::Exchange> exchanges;
    for (std::size_t i = 0; i < 3; ++i)
        exchanges.emplace_back(server.port(), "signal-" + std::to_string(i), i);
    try {
        with_signals([&] {
            aio::run_exchanges(exchanges);
            return 0;
        });
    } catch (const aio::NotImplemented&) {
        throw;
    } catch (const std::exception& error) {
        FAIL() << "ch00.poll_loop: signals arrived while poll() waited: EINTR means \"poll "
                  "again\", not an error; got: "
               << error.what();
    }
    for (std::size_t i = 0; i < exchanges.size(); ++i)
        EXPECT_EQ(exchanges[i].answer(), SlowServer::answer_for("signal-" + std::to_string(i)))
            << "ch00.poll_loop: every exchange finishes although signals interrupted the wait";
}

double thread_cpu_seconds() {
    timespec now{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// The loop waits in poll() while the server thinks: a second of waiting costs this
// thread well under a millisecond of CPU. A loop that spins (poll() with a zero
// timeout, or asked for POLLOUT while it waits to read) burns the CPU the whole
// time: tens of milliseconds even on a machine so loaded that it gets a few % of a core.
TEST(RunExchanges, SleepsInPollWhileItWaits) {
    SlowServer server({.delay = std::chrono::milliseconds(1000)});
    std::vector<aio::Exchange> exchanges;
    for (std::size_t i = 0; i < 4; ++i)
        exchanges.emplace_back(server.port(), "sleep-" + std::to_string(i), i);
    Stopwatch wall;
    double cpu_before = thread_cpu_seconds();
    aio::run_exchanges(exchanges);
    double cpu = thread_cpu_seconds() - cpu_before;
    double seconds = wall.seconds();
    report_timing("run_exchanges waited " + fixed(seconds) + " s and used " + fixed(cpu * 1000, 1) +
                  " ms of CPU (a spinning loop uses most of the wait)");
    for (std::size_t i = 0; i < exchanges.size(); ++i)
        EXPECT_EQ(exchanges[i].answer(), SlowServer::answer_for("sleep-" + std::to_string(i)))
            << "ch00.poll_loop: exchange " << i << " has the wrong answer";
    EXPECT_LT(cpu, 0.015 * slowdown)
        << "ch00.poll_loop, ch00.mux_events: the thread burned " << fixed(cpu * 1000, 1)
        << " ms of CPU in a " << fixed(seconds * 1000, 0)
        << " ms wait: wait in poll() with no timeout, for what each state needs "
           "(POLLOUT only while connecting or writing), never in a busy loop";
}

} // namespace
} // namespace looplab
