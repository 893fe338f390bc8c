// Graded tests, streams over a connected socket (transport.cpp,
// stream_writer.cpp): partial reads and writes, EOF, resets, flow control.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>

#include "streams_test_helpers.hpp"
#include "timeouts.hpp"

using aio::Coro;
using aio::EventLoop;
using aio::StreamReader;
using aio::StreamWriter;
using namespace looplab;

namespace {
Coro<std::string> close_at_once(int fd) {
    auto [reader, writer] = aio::make_streams(fd);
    writer.close();
    co_await writer.wait_closed();
    co_return writer.is_closing() ? "closed" : "not closing";
}
} // namespace

TEST(Streams, CloseSendsEofAndWaitClosedReturns) {
    auto [mine, peer] = socket_pair();
    EventLoop loop;
    EXPECT_EQ(run_bounded(loop, close_at_once(mine), 5s), "closed")
        << "ch10.close: with nothing buffered, close() closes at once and wait_closed returns";
    EXPECT_EQ(read_to_eof(peer), "") << "ch10.close: the peer reads EOF";
    ::close(peer);
}

namespace {
Coro<std::vector<std::string>> read_lines(int fd) {
    auto [reader, writer] = aio::make_streams(fd);
    std::vector<std::string> lines;
    for (;;) {
        std::string line = co_await reader.readline();
        if (line.empty()) break;
        lines.push_back(line);
    }
    lines.push_back(reader.at_eof() ? "<eof>" : "<not at eof>");
    co_await aio::sleep(10ms);
    if (aio::get_running_loop().remove_reader(fd)) lines.push_back("<reader still registered>");
    co_return lines;
}
} // namespace

TEST(Streams, PartialReadsArriveAsThePeerWrites) {
    auto [mine, peer] = socket_pair();
    std::thread writer([peer = peer] {
        send_all_blocking(peer, "line one\nline");
        std::this_thread::sleep_for(20ms);
        send_all_blocking(peer, " two\nthree");
        std::this_thread::sleep_for(20ms);
        ::shutdown(peer, SHUT_WR);
    });
    EventLoop loop;
    std::vector<std::string> lines = run_bounded(loop, read_lines(mine));
    writer.join();
    ::close(peer);
    std::vector<std::string> expected{"line one\n", "line two\n", "three", "<eof>"};
    EXPECT_EQ(lines, expected)
        << "ch10.on_readable: each recv feeds the reader; EOF is fed too, and the fd's reader is "
           "removed at EOF (a socket at EOF stays readable: left registered, the loop spins)";
}

namespace {
Coro<std::string> read_then_fail(int fd, int peer) {
    auto [reader, writer] = aio::make_streams(fd);
    std::string head = co_await reader.readexactly(100);
    close_with_reset(peer); // while the next read waits
    std::string never = co_await reader.readexactly(1000);
    co_return head + never;
}
} // namespace

TEST(Streams, APeerResettingMidReadIsConnectionResetError) {
    auto [mine, peer] = tcp_pair();
    send_all_blocking(peer, pattern(100));
    EventLoop loop;
    EXPECT_THROW(run_bounded(loop, read_then_fail(mine, peer)), aio::ConnectionResetError)
        << "ch10.on_readable passes recv's ECONNRESET to ch10.abort, which gives it to the "
           "reader: the waiting read ends with ConnectionResetError (not EOF)";
}

namespace {
Coro<std::size_t> buffered_while_not_reading(int fd, bool* paused, std::string* all,
                                             bool* timed_out) {
    auto [reader, writer] = aio::make_streams(fd, 1000);
    co_await aio::sleep(100ms); // the peer writes; nobody reads
    std::size_t buffered = reader.state()->buffer.size();
    *paused = reader.state()->paused;
    try {
        *all = co_await aio::wait_for(reader.read(), 5s); // waiting resumes the socket
    } catch (const aio::TimeoutError&) {
        *timed_out = true;
    }
    co_return buffered;
}
} // namespace

TEST(Streams, TheReaderPausesTheSocketAboveTwiceTheLimit) {
    auto [mine, peer] = socket_pair();
    std::string data = pattern(300000);
    std::thread writer([&, peer = peer] {
        send_all_blocking(peer, data);
        ::shutdown(peer, SHUT_WR);
    });
    EventLoop loop;
    bool paused = false, timed_out = false;
    std::string all;
    std::size_t buffered =
        run_bounded(loop, buffered_while_not_reading(mine, &paused, &all, &timed_out));
    writer.join();
    ::close(peer);
    EXPECT_FALSE(timed_out) << "ch10.wait_for_data: a read that waits on a paused transport "
                               "resumes it; read() never finished (5 s)";
    EXPECT_TRUE(paused) << "ch10.feed_data: above 2 x limit the transport is paused";
    EXPECT_LE(buffered, 2 * 1000 + aio::detail::READ_CHUNK)
        << "ch10.feed_data: a paused transport stops filling the buffer";
    EXPECT_TRUE(all == data) << "ch10.on_readable: once resumed, every byte arrives";
}

namespace {
Coro<std::size_t> write_small(int fd) {
    auto [reader, writer] = aio::make_streams(fd);
    writer.write("hello ");
    writer.write("world");
    co_return writer.write_buffer_size();
}
} // namespace

TEST(Streams, SmallWritesGoOutAtOnce) {
    auto [mine, peer] = socket_pair();
    EventLoop loop;
    std::size_t left = run_bounded(loop, write_small(mine));
    char got[11] = {};
    ssize_t n = ::recv(peer, got, sizeof got, MSG_DONTWAIT | MSG_WAITALL);
    ::close(peer);
    EXPECT_EQ(left, 0u)
        << "ch10.write: a socket with room takes the bytes at once: nothing buffered";
    EXPECT_EQ(std::string(got, n > 0 ? n : 0), "hello world")
        << "ch10.write: written before write() returned, in order";
}

namespace {
Coro<std::size_t> write_big_and_close(int fd, std::string data) {
    auto [reader, writer] = aio::make_streams(fd);
    writer.write(data);
    std::size_t buffered = writer.write_buffer_size();
    writer.close(); // flushes, then closes
    co_await writer.wait_closed();
    co_return buffered;
}
} // namespace

TEST(Streams, ABigWriteIsBufferedAndFlushedBeforeClose) {
    auto [mine, peer] = socket_pair();
    std::string data = pattern(4 << 20);
    std::string received;
    std::thread reader([&, peer = peer] { received = read_to_eof(peer); });
    EventLoop loop;
    std::size_t buffered = run_bounded(loop, write_big_and_close(mine, data));
    reader.join();
    ::close(peer);
    EXPECT_GT(buffered, 0u) << "ch10.write: what the socket cannot take now is buffered";
    EXPECT_EQ(received.size(), data.size())
        << "ch10.flush: close() sends everything buffered first";
    EXPECT_TRUE(received == data) << "ch10.flush: in order";
}

namespace {
Coro<std::string> half_close(int fd) {
    auto [reader, writer] = aio::make_streams(fd);
    writer.write("question");
    writer.write_eof();
    std::string answer = co_await reader.read(); // the peer answers after our EOF
    co_return answer + (writer.is_closing() ? " (closing)" : " (open)");
}
} // namespace

TEST(Streams, WriteEofHalfClosesAndThePeersEofLeavesTheWriterOpen) {
    auto [mine, peer] = socket_pair();
    std::thread server([peer = peer] {
        std::string question = read_to_eof(peer); // ends at our write_eof
        send_all_blocking(peer, "answer to " + question);
        ::shutdown(peer, SHUT_WR);
    });
    EventLoop loop;
    std::string answer = run_bounded(loop, half_close(mine));
    server.join();
    ::close(peer);
    EXPECT_EQ(answer, "answer to question (open)")
        << "ch10.write: write_eof sends EOF but keeps reading; the peer's EOF does not close us";
}

namespace {
struct DrainFigures {
    std::size_t most_buffered = 0;
    std::size_t drains_that_waited = 0;
    std::size_t most_left_after_a_wait = 0; // buffered when a drain that waited returned
};

// The i-th 64 KiB chunk: a text of its own, so that bytes out of order show.
std::string numbered_chunk(std::size_t i) {
    return pattern(64 * 1024, static_cast<char>('a' + i % 26));
}

Coro<void> send_with_backpressure(int fd, std::size_t total, DrainFigures* figures) {
    auto [reader, writer] = aio::make_streams(fd);
    for (std::size_t i = 0; i * 64 * 1024 < total; ++i) {
        writer.write(numbered_chunk(i));
        figures->most_buffered = std::max(figures->most_buffered, writer.write_buffer_size());
        bool waits = writer.write_buffer_size() > aio::detail::HIGH_WATER;
        if (waits) ++figures->drains_that_waited;
        co_await writer.drain();
        figures->most_buffered = std::max(figures->most_buffered, writer.write_buffer_size());
        if (waits)
            figures->most_left_after_a_wait =
                std::max(figures->most_left_after_a_wait, writer.write_buffer_size());
    }
    writer.close();
    co_await writer.wait_closed();
}
} // namespace

TEST(Streams, SixteenMebibytesToASlowReaderStayUnderTwiceTheHighWaterMark) {
    auto [mine, peer] = socket_pair();
    std::size_t total = 16u << 20;
    std::string received;
    received.reserve(total);
    std::thread slow_reader([&, peer = peer] {
        // A late start fills the socket and then the writer's buffer, however
        // fast this machine runs the writer: some drain() must wait.
        std::this_thread::sleep_for(100ms);
        char chunk[32768];
        for (ssize_t n; (n = ::recv(peer, chunk, sizeof chunk, 0)) > 0;) {
            received.append(chunk, static_cast<std::size_t>(n));
            if (received.size() % (1 << 20) < sizeof chunk) std::this_thread::sleep_for(2ms);
        }
    });
    EventLoop loop;
    DrainFigures figures;
    run_bounded(loop, send_with_backpressure(mine, total, &figures), 60s);
    slow_reader.join();
    ::close(peer);
    std::string expected;
    expected.reserve(total);
    for (std::size_t i = 0; i * 64 * 1024 < total; ++i)
        expected += numbered_chunk(i);
    EXPECT_EQ(received.size(), total) << "ch10.drain: every byte of 16 MiB arrives";
    EXPECT_TRUE(received == expected)
        << "ch10.write: the bytes arrive in the order written (a write while bytes are "
           "buffered appends them; sending at once would let them overtake)";
    EXPECT_GT(figures.drains_that_waited, 0u) << "the reader was slow enough to fill the buffer";
    EXPECT_LE(figures.most_buffered, 2 * aio::detail::HIGH_WATER)
        << "ch10.drain: the writer's buffer never exceeds 2 x the high-water mark (64 KiB)";
    EXPECT_LE(figures.most_left_after_a_wait, aio::detail::LOW_WATER)
        << "ch10.flush: a drain() that waited is woken at the low-water mark (16 KiB), not "
           "sooner: it returned with "
        << figures.most_left_after_a_wait << " bytes buffered";
}

namespace {
Coro<void> drain_after_reset(int fd, int peer) {
    auto [reader, writer] = aio::make_streams(fd);
    close_with_reset(peer);
    co_await aio::sleep(20ms);
    for (int i = 0; i < 64; ++i) {
        writer.write(pattern(64 * 1024));
        co_await writer.drain();
    }
}
} // namespace

TEST(Streams, DrainOnALostConnectionIsAConnectionError) {
    auto [mine, peer] = tcp_pair();
    EventLoop loop;
    std::string outcome = "drain() never raised";
    try {
        run_bounded(loop, drain_after_reset(mine, peer));
    } catch (const aio::ConnectionResetError& e) {
        outcome = std::string("ConnectionResetError: ") + e.what();
    } catch (const std::exception& e) {
        outcome = std::string("another error: ") + e.what();
    }
    EXPECT_EQ(outcome, "ConnectionResetError: Connection lost")
        << "ch10.drain: once the connection is lost, drain() raises ConnectionResetError "
           "\"Connection lost\", whatever the cause (asyncio's _drain_helper; the cause is on "
           "the reader)";
}

namespace {
// Writes more than the socket takes, waits until the buffer is flushed, then
// asks the loop whether a writer is still registered for the fd.
Coro<std::string> flush_then_look(int fd) {
    auto [reader, writer] = aio::make_streams(fd);
    writer.write(pattern(1 << 20));
    bool buffered = writer.write_buffer_size() > 0;
    for (int i = 0; i < 2000 && writer.write_buffer_size() > 0; ++i)
        co_await aio::sleep(1ms);
    co_await aio::sleep(10ms);
    bool writer_left = aio::get_running_loop().remove_writer(fd);
    std::string outcome = buffered ? "buffered" : "not buffered";
    outcome += writer.write_buffer_size() == 0 ? ", flushed" : ", not flushed";
    outcome += writer_left ? ", writer still registered" : ", writer removed";
    co_return outcome;
}
} // namespace

TEST(Streams, AFlushedBufferLeavesNoWriterRegistered) {
    auto [mine, peer] = socket_pair();
    std::string received;
    std::thread reader([&, peer = peer] { received = read_to_eof(peer); });
    EventLoop loop;
    std::string outcome = run_bounded(loop, flush_then_look(mine));
    reader.join();
    ::close(peer);
    EXPECT_EQ(outcome, "buffered, flushed, writer removed")
        << "ch10.flush: once the buffer is empty the fd's writer is removed (a socket is "
           "writable almost always: a writer left registered makes the loop spin)";
    EXPECT_EQ(received.size(), 1u << 20) << "ch10.flush: every buffered byte is sent";
}

namespace {
struct LostWhileDraining {
    std::string error;
    std::size_t buffered_before = 0;
    std::size_t buffered_after = 0;
};

// A drain() that waits when the peer resets the connection.
Coro<void> drain_when_reset(int fd, int peer, LostWhileDraining* seen) {
    auto [reader, writer] = aio::make_streams(fd);
    writer.write(pattern(8 << 20)); // the peer never reads: most of it stays buffered
    seen->buffered_before = writer.write_buffer_size();
    aio::get_running_loop().call_later(20ms, [peer] { close_with_reset(peer); });
    try {
        co_await aio::wait_for(writer.drain(), 5s);
        seen->error = "drain returned";
    } catch (const aio::TimeoutError&) {
        seen->error = "drain still waiting after 5 s";
    } catch (const aio::ConnectionResetError& e) {
        seen->error = std::string("ConnectionResetError: ") + e.what();
    } catch (const std::exception& e) {
        seen->error = std::string("another error: ") + e.what();
    }
    seen->buffered_after = writer.write_buffer_size();
}
} // namespace

// Whatever ended the connection (a reset, a broken pipe, an abort), a drain()
// raises ConnectionResetError("Connection lost"), as asyncio's drain does; the
// reader holds the actual error.
TEST(Streams, ADrainWaitingWhenTheConnectionIsLostIsConnectionResetError) {
    auto [mine, peer] = tcp_pair();
    EventLoop loop;
    LostWhileDraining seen;
    run_bounded(loop, drain_when_reset(mine, peer, &seen));
    EXPECT_GT(seen.buffered_before, aio::detail::HIGH_WATER)
        << "the peer does not read: the write stays buffered and drain() waits";
    EXPECT_EQ(seen.error, "ConnectionResetError: Connection lost")
        << "ch10.close: the lost connection fails the drain() that waits, with "
           "ConnectionResetError \"Connection lost\" whatever the cause";
    EXPECT_EQ(seen.buffered_after, 0u)
        << "ch10.abort: an aborted connection drops its write buffer (nothing left to send)";
}

namespace {
Coro<std::string> peername_of(int fd) {
    auto [reader, writer] = aio::make_streams(fd);
    co_return writer.peername();
}
} // namespace

TEST(Streams, PeernameIsTheOtherEndsAddressAndPort) {
    auto [mine, peer] = tcp_pair();
    sockaddr_in address{};
    socklen_t size = sizeof address;
    ::getsockname(peer, reinterpret_cast<sockaddr*>(&address), &size);
    EventLoop loop;
    std::string name = run_bounded(loop, peername_of(mine));
    ::close(peer);
    EXPECT_EQ(name, "127.0.0.1:" + std::to_string(ntohs(address.sin_port)))
        << "ch10.peername: \"a.b.c.d:port\", the port in host byte order (ntohs)";
}

namespace {
// Writes 256 KiB at a time through a socket with a small send buffer (each
// writable turn takes a few KiB), and notes what is still buffered when each
// drain() that waited returns.
Coro<std::size_t> most_left_when_drained(int fd) {
    auto [reader, writer] = aio::make_streams(fd);
    std::size_t most_left = 0;
    for (int round = 0; round < 4; ++round) {
        writer.write(pattern(256 * 1024, static_cast<char>('a' + round)));
        co_await writer.drain();
        most_left = std::max(most_left, writer.write_buffer_size());
    }
    writer.close();
    co_await writer.wait_closed();
    co_return most_left;
}
} // namespace

TEST(Streams, ADrainThatWaitedReturnsAtTheLowWaterMark) {
    auto [mine, peer] = socket_pair();
    int small = 4096; // the kernel's minimum, about 4 KiB per writable turn
    ::setsockopt(mine, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    std::string received;
    std::thread slow_reader([&, peer = peer] {
        char chunk[2048];
        for (ssize_t n; (n = ::recv(peer, chunk, sizeof chunk, 0)) > 0;) {
            received.append(chunk, static_cast<std::size_t>(n));
            std::this_thread::sleep_for(100us);
        }
    });
    EventLoop loop;
    std::size_t most_left = run_bounded(loop, most_left_when_drained(mine));
    slow_reader.join();
    ::close(peer);
    std::string expected;
    for (int round = 0; round < 4; ++round)
        expected += pattern(256 * 1024, static_cast<char>('a' + round));
    EXPECT_TRUE(received == expected)
        << "ch10.write: every byte arrives, in order, when writes append to a buffer whose "
           "front was partly sent (received "
        << received.size() << " of " << expected.size() << " bytes)";
    EXPECT_LE(most_left, aio::detail::LOW_WATER)
        << "ch10.flush: the drain() waiters are woken at the low-water mark (16 KiB), not at "
           "the high one: a drain() returned with "
        << most_left << " bytes still buffered";
}
