// Graded tests: readers and writers on socket pairs, one selector registration per
// fd, and the pitfalls of removing (or reusing) an fd within one pass.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "event_loop.hpp"
#include "loop_test_helpers.hpp"

using namespace std::chrono_literals;
using aio::EventLoop;
using looplab::SocketPair;

TEST(Io, ReadersAndWritersRunWhenTheirFdIsReady) {
    EventLoop loop;
    SocketPair pair;
    std::string got;
    int writable = 0;
    loop.add_reader(pair.left(), [&] { got += pair.read_left(); });
    loop.add_writer(pair.right(), [&] {
        ++writable;
        ::send(pair.right(), "hello", 5, MSG_NOSIGNAL);
        loop.remove_writer(pair.right());
    });
    loop.call_later(1s, [&] { loop.stop(); }); // a bound, in case nothing works
    loop.call_soon([] {});
    for (int pass = 0; pass < 5 && got.empty(); ++pass)
        loop.run_once();
    EXPECT_EQ(writable, 1) << "the writer runs when the socket is writable, until removed";
    EXPECT_EQ(got, "hello") << "the reader runs when data arrives";
    EXPECT_TRUE(loop.remove_reader(pair.left()))
        << "ch03.remove_watcher: true: the reader was registered";
    EXPECT_FALSE(loop.remove_reader(pair.left())) << "false: there was no reader any more";
    EXPECT_FALSE(loop.remove_writer(pair.right())) << "false: the writer removed itself";
}

TEST(Io, AReaderAndAWriterOnOneFdShareOneRegistration) {
    EventLoop loop;
    SocketPair pair;
    int reads = 0, writes = 0;
    std::vector<aio::ReadyEvent> events;
    loop.set_tracer([&](const aio::IterationTrace& trace) { events = trace.events; });
    loop.add_reader(pair.left(), [&] {
        ++reads;
        pair.read_left();
    });
    ASSERT_NO_THROW(loop.add_writer(pair.left(), [&] { ++writes; }))
        << "a second interest in an fd must modify() its registration, not register it again";
    pair.send_to_left("x");
    loop.run_once();
    EXPECT_EQ(reads, 1) << "ch03.queue_io_callbacks: the readable fd's reader ran once";
    EXPECT_EQ(writes, 1)
        << "ch03.queue_io_callbacks: the writable fd's writer ran once in the same pass";
    ASSERT_EQ(events.size(), 1u) << "one fd, one registration: select reports it once";
    EXPECT_EQ(events[0].fd, pair.left()) << "the event names the fd";
    EXPECT_EQ(events[0].events, unsigned{aio::EVENT_READ | aio::EVENT_WRITE})
        << "ch03.add_watcher: one event carries both interests";

    EXPECT_TRUE(loop.remove_writer(pair.left())) << "ch03.remove_watcher: true: there was a writer";
    pair.send_to_left("y");
    loop.run_once();
    EXPECT_EQ(reads, 2) << "removing the writer must keep the reader (modify, not unregister)";
    EXPECT_EQ(writes, 1) << "ch03.remove_watcher: the removed writer does not run again";
    EXPECT_TRUE(loop.remove_reader(pair.left())) << "ch03.remove_watcher: true: there was a reader";
    ASSERT_NO_THROW(loop.add_writer(pair.left(), [&] { ++writes; }))
        << "with no interest left, the fd must have been unregistered";
    loop.run_once();
    EXPECT_EQ(writes, 2) << "ch03.add_watcher: the new writer runs in the next pass";
    EXPECT_TRUE(loop.remove_writer(pair.left())) << "ch03.remove_watcher: true: there was a writer";
}

TEST(Io, AddReaderReplacesTheExistingReader) {
    EventLoop loop;
    SocketPair pair;
    std::string which;
    loop.add_reader(pair.left(), [&] { which += "old"; });
    loop.add_reader(pair.left(), [&] {
        which += "new";
        pair.read_left();
    });
    pair.send_to_left("x");
    loop.run_once();
    EXPECT_EQ(which, "new") << "one reader per fd: add_reader replaces it";
    EXPECT_TRUE(loop.remove_reader(pair.left()))
        << "ch03.remove_watcher: true: the replacing reader is registered";
}

TEST(Io, BadFdsAreValueErrorsAndLeaveTheLoopWorking) {
    EventLoop loop;
    EXPECT_THROW(loop.add_reader(-1, [] {}), aio::ValueError)
        << "ch03.add_watcher: add_reader(-1) is a ValueError";
    EXPECT_THROW(loop.add_writer(-1, [] {}), aio::ValueError)
        << "ch03.add_watcher: add_writer(-1) is a ValueError";
    EXPECT_FALSE(loop.remove_reader(-1))
        << "ch03.remove_watcher: remove_reader(-1) is false, not an error";
    EXPECT_FALSE(loop.remove_writer(12345)) << "remove_* of an unknown fd is false, not an error";
    SocketPair pair;
    bool ran = false;
    loop.add_reader(pair.left(), [&] { ran = true; });
    pair.send_to_left("x");
    loop.run_once();
    EXPECT_TRUE(ran) << "the loop still serves a good fd after the refused ones";
}

// Two readable fds whose readers each remove the OTHER one: whichever runs first,
// the second was removed earlier in the same pass and must not run.
TEST(Io, AReaderRemovedByAnotherReaderInTheSamePassDoesNotRun) {
    EventLoop loop;
    SocketPair a, b;
    int ran_a = 0, ran_b = 0;
    loop.add_reader(a.left(), [&] {
        ++ran_a;
        loop.remove_reader(b.left());
    });
    loop.add_reader(b.left(), [&] {
        ++ran_b;
        loop.remove_reader(a.left());
    });
    a.send_to_left("x");
    b.send_to_left("x");
    loop.run_once(); // select reports both fds in this pass
    EXPECT_EQ(ran_a + ran_b, 1)
        << "an event collected for a reader removed earlier in the pass must be dropped";
}

// The fd-reuse pitfall: a callback removes and closes an fd, and a new socket
// gets the same number (as open() hands out the lowest free fd). The event
// collected for the OLD fd in this pass must reach neither the old callback nor
// the new one.
TEST(Io, AClosedAndReopenedFdDoesNotGetTheOldFdsEvent) {
    EventLoop loop;
    auto a = std::make_unique<SocketPair>(), b = std::make_unique<SocketPair>();
    int old_runs = 0, new_runs = 0;
    std::unique_ptr<SocketPair> fresh;
    auto replace = [&](SocketPair& victim) {
        int number = victim.left();
        loop.remove_reader(number);
        fresh = std::make_unique<SocketPair>();
        ::dup2(fresh->left(), number); // closes the victim's socket; the new one takes its number
        ::close(fresh->left());
        fresh->fds[0] = number;
        victim.fds[0] = -1;
        fresh->send_to_left("new data");
        loop.add_reader(number, [&] {
            ++new_runs;
            fresh->read_left();
        });
    };
    loop.add_reader(a->left(), [&] {
        ++old_runs;
        if (!fresh) replace(*b);
    });
    loop.add_reader(b->left(), [&] {
        ++old_runs;
        if (!fresh) replace(*a);
    });
    a->send_to_left("x");
    b->send_to_left("x");
    loop.run_once();
    EXPECT_EQ(old_runs, 1) << "the removed reader must not run for its stale event";
    EXPECT_EQ(new_runs, 0) << "the new reader on the reused fd number must not get the old fd's "
                              "event; it waits for the next select";
    loop.run_once();
    EXPECT_EQ(new_runs, 1) << "the new registration works from the next pass on";
    loop.remove_reader(fresh->left());
    loop.remove_reader(a->left());
    loop.remove_reader(b->left());
}

TEST(Io, TheLoopWorksOnEverySelector) {
    for (const char* backend : {"select", "poll", "epoll"}) {
        SCOPED_TRACE(backend);
        EventLoop loop({.selector = backend});
        SocketPair pair;
        std::string got;
        bool posted_ran = false, timer_ran = false;
        loop.add_reader(pair.left(), [&] { got += pair.read_left(); });
        loop.call_later(20ms, [&] { timer_ran = true; });
        std::thread poster([&] { loop.call_soon_threadsafe([&] { posted_ran = true; }); });
        poster.join();
        pair.send_to_left("data");
        for (int pass = 0; pass < 10 && !(timer_ran && posted_ran && got == "data"); ++pass)
            loop.run_once();
        EXPECT_EQ(got, "data") << "the reader gets the data on this selector";
        EXPECT_TRUE(posted_ran) << "the post from another thread runs on this selector";
        EXPECT_TRUE(timer_ran) << "the 20 ms timer fires on this selector";
        EXPECT_TRUE(loop.remove_reader(pair.left()))
            << "ch03.remove_watcher: true: the reader was registered";
    }
}
