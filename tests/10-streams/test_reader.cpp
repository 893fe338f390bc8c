// Graded tests, StreamReader on its own, fed by hand (stream_reader.cpp).
#include <gtest/gtest.h>

#include <string>

#include "streams_test_helpers.hpp"

using aio::Coro;
using aio::EventLoop;
using aio::StreamReader;
using namespace looplab;

namespace {
// Feeds the reader later, from a timer: the read must wait for it.
void feed_later(EventLoop& loop, StreamReader reader, std::vector<std::string> chunks,
                bool eof = false) {
    aio::Duration delay = 1ms;
    for (std::string& chunk : chunks) {
        loop.call_later(delay, [reader, chunk]() mutable { reader.feed_data(chunk); });
        delay += 1ms;
    }
    if (eof) loop.call_later(delay, [reader]() mutable { reader.feed_eof(); });
}

Coro<std::string> read_all_then_more(StreamReader reader, std::string* after) {
    std::string all = co_await reader.read();
    *after = co_await reader.read(10);
    co_return all;
}
} // namespace

TEST(Reader, AZeroLimitIsAValueError) {
    EXPECT_THROW(StreamReader(0), aio::ValueError) << "a limit of 0 could never hold a line";
}

TEST(Reader, FeedDataAppendsWakesAndPausesAboveTwiceTheLimit) {
    StreamReader reader(100);
    int pauses = 0;
    reader.state()->pause_reading = [&pauses] { ++pauses; };
    reader.state()->resume_reading = [] {};
    reader.feed_data(pattern(150));
    reader.feed_data("");
    reader.feed_data(pattern(50));
    EXPECT_EQ(pauses, 0) << "ch10.feed_data: 200 bytes, limit 100: exactly 2 x limit, not above";
    reader.feed_data(pattern(100));
    reader.feed_data(pattern(100));
    EXPECT_EQ(pauses, 1) << "ch10.feed_data: above 2 x limit the transport is paused, once";
    EXPECT_EQ(reader.state()->buffer, pattern(150) + pattern(50) + pattern(100) + pattern(100))
        << "ch10.feed_data: every chunk appended in order";
}

TEST(Reader, ReadReturnsFedDataAndEmptyAtEof) {
    EventLoop loop;
    StreamReader reader;
    reader.feed_data("abc");
    reader.feed_data("");
    reader.feed_data("def");
    reader.feed_eof();
    std::string after;
    std::string all = run_bounded(loop, read_all_then_more(reader, &after));
    EXPECT_EQ(all, "abcdef") << "ch10.read: read() returns every fed byte, in order";
    EXPECT_EQ(after, "") << "read after EOF: empty";
    EXPECT_TRUE(reader.at_eof()) << "at_eof: EOF fed and the buffer empty";
}

TEST(Reader, AWaitingReadWakesWhenDataArrives) {
    EventLoop loop;
    StreamReader reader;
    feed_later(loop, reader, {"ping"});
    std::string got = "(still waiting after 2 s)";
    try {
        got = run_bounded(loop, reader.read(100), 2s);
    } catch (const aio::InvalidStateError&) {
    }
    EXPECT_EQ(got, "ping") << "ch10.feed_data wakes the read that waits, and ch10.read returns "
                              "the 4 bytes there: read(100) never waits for 100";
    StreamReader until_eof;
    feed_later(loop, until_eof, {"ab", "cd"}, true);
    EXPECT_EQ(run_bounded(loop, until_eof.read()), "abcd")
        << "ch10.read: read() waits for EOF, then returns every byte fed before it";
}

TEST(Reader, ReadexactlyWaitsForTheWholeCountAcrossFeeds) {
    EventLoop loop;
    StreamReader reader;
    feed_later(loop, reader, {"12", "345", "6789"});
    EXPECT_EQ(run_bounded(loop, reader.readexactly(7)), "1234567")
        << "ch10.readexactly: exactly n bytes, gathered over several feeds";
    EXPECT_EQ(run_bounded(loop, reader.readexactly(2)), "89")
        << "ch10.readexactly: the rest stays buffered for the next read";
}

TEST(Reader, ReadexactlyAtEofIsIncompleteReadErrorWithThePartialBytes) {
    EventLoop loop;
    StreamReader reader;
    feed_later(loop, reader, {pattern(18)}, true);
    try {
        run_bounded(loop, reader.readexactly(36));
        ADD_FAILURE() << "ch10.readexactly: EOF before 36 bytes must throw IncompleteReadError";
    } catch (const aio::IncompleteReadError& e) {
        EXPECT_EQ(e.partial, pattern(18)) << "ch10.readexactly: partial holds what was read";
        EXPECT_EQ(e.expected, std::optional<std::size_t>(36)) << "ch10.readexactly: expected = n";
        EXPECT_STREQ(e.what(), "18 bytes read on a total of 36 expected bytes")
            << "asyncio's message";
    }
    StreamReader enough;
    enough.feed_data("abc");
    enough.feed_eof();
    EXPECT_EQ(run_bounded(loop, enough.readexactly(3)), "abc")
        << "ch10.readexactly: EOF after enough bytes is no error: the 3 bytes fed before it";
}

TEST(Reader, ASecondConcurrentReadIsARuntimeError) {
    EventLoop loop;
    StreamReader reader;
    aio::Task<std::string> first = aio::create_task(loop, reader.readexactly(3));
    loop.call_later(5ms, [reader]() mutable { reader.feed_data("abc"); });
    EXPECT_THROW(run_bounded(loop, reader.readexactly(1)), aio::RuntimeError)
        << "ch10.wait_for_data: two coroutines waiting on one reader: RuntimeError";
    loop.call_later(50ms, [&loop] { loop.stop(); });
    loop.run_forever();
    ASSERT_TRUE(first.done()) << "ch10.wait_for_data: the first reader must still finish";
    EXPECT_EQ(first.result(), "abc") << "ch10.wait_for_data: the first reader still gets its bytes";
}

TEST(Reader, ReaduntilFindsASeparatorSplitAcrossFeeds) {
    EventLoop loop;
    StreamReader reader;
    reader.feed_data("GET / HTTP/1.1\r"); // searched once, before the rest arrives
    feed_later(loop, reader, {"\nHost: x\r\n\r", "\nbody"});
    EXPECT_EQ(run_bounded(loop, reader.readuntil("\r\n"), 2s), "GET / HTTP/1.1\r\n")
        << "ch10.readuntil: through the separator, even split across two feeds";
    EXPECT_EQ(run_bounded(loop, reader.readuntil("\r\n\r\n"), 2s), "Host: x\r\n\r\n")
        << "ch10.readuntil: a multi-byte separator";
    EXPECT_EQ(run_bounded(loop, reader.read(100), 2s), "body") << "the rest stays buffered";
}

TEST(Reader, ReaduntilErrors) {
    EventLoop loop;
    StreamReader reader(10);
    EXPECT_THROW(run_bounded(loop, reader.readuntil("")), aio::ValueError)
        << "ch10.readuntil: an empty separator is a ValueError";
    reader.feed_data("0123456789abcdef");
    try {
        run_bounded(loop, reader.readuntil("\n"));
        ADD_FAILURE() << "ch10.readuntil: no separator within the limit: LimitOverrunError";
    } catch (const aio::LimitOverrunError& e) {
        EXPECT_EQ(e.consumed, 16u) << "ch10.readuntil: consumed says how far it looked";
    }
    StreamReader found_late(10);
    found_late.feed_data("0123456789abc\n");
    try {
        run_bounded(loop, found_late.readuntil("\n"));
        ADD_FAILURE() << "ch10.readuntil: a separator found past the limit: LimitOverrunError";
    } catch (const aio::LimitOverrunError& e) {
        EXPECT_STREQ(e.what(), "Separator is found, but chunk is longer than limit")
            << "ch10.readuntil: asyncio's message for a separator past the limit";
        EXPECT_EQ(e.consumed, 13u) << "ch10.readuntil: consumed is the separator's position";
    }
    StreamReader other(100);
    other.feed_data("no newline here");
    other.feed_eof();
    try {
        run_bounded(loop, other.readuntil("\n"));
        ADD_FAILURE() << "ch10.readuntil: EOF without the separator: IncompleteReadError";
    } catch (const aio::IncompleteReadError& e) {
        EXPECT_EQ(e.partial, "no newline here") << "ch10.readuntil: partial is what was buffered";
        EXPECT_FALSE(e.expected.has_value()) << "ch10.readuntil: expected is nullopt";
    }
}

TEST(Reader, ReadlineReturnsLinesAndThePartialLastOne) {
    EventLoop loop;
    StreamReader reader;
    feed_later(loop, reader, {"one\ntw", "o\nthree"}, true);
    EXPECT_EQ(run_bounded(loop, reader.readline()), "one\n") << "ch10.readline: the newline stays";
    EXPECT_EQ(run_bounded(loop, reader.readline()), "two\n") << "ch10.readline: across feeds";
    EXPECT_EQ(run_bounded(loop, reader.readline()), "three")
        << "ch10.readline: EOF: the partial line";
    EXPECT_EQ(run_bounded(loop, reader.readline()), "") << "ch10.readline: then empty at EOF";
}

TEST(Reader, ReadlineTooLongIsAValueErrorAndDropsTheLine) {
    EventLoop loop;
    StreamReader reader(8);
    reader.feed_data("this line is far too long\nnext\n");
    EXPECT_THROW(run_bounded(loop, reader.readline()), aio::ValueError)
        << "ch10.readline: a line past the limit is a ValueError";
    EXPECT_EQ(run_bounded(loop, reader.readline()), "next\n")
        << "ch10.readline: the long line was dropped through its newline";
}
