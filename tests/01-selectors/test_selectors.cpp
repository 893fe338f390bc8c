// Graded tests, run on every backend: readiness, registrations, timeouts and EINTR.
// Bad input, hang-ups and closed fds are in test_selector_errors.cpp.
#include <pthread.h>

#include <atomic>
#include <csignal>
#include <map>
#include <memory>

#include <gtest/gtest.h>

#include "selector_fixture.hpp"
#include "selector_test_helpers.hpp"
#include "timing.hpp"

using namespace std::chrono_literals;
using aio::EVENT_READ;
using aio::EVENT_WRITE;
using aio::ReadyEvent;
using looplab::BackendName;
using looplab::Pipe;
using looplab::Selector;
using looplab::SelectorBackends;
using looplab::SocketPair;

TYPED_TEST_SUITE(Selector, SelectorBackends, BackendName);

// ------------------------------------------------------------------ readiness

TYPED_TEST(Selector, ReportsAPipeReadableOnlyOnceDataArrives) {
    Pipe pipe;
    int tag = 0;
    this->selector.register_fd(pipe.read_end(), EVENT_READ, &tag);
    EXPECT_TRUE(this->look().empty()) << this->ex() << ": an empty pipe is not readable";
    pipe.write_byte();
    std::vector<ReadyEvent> events = this->look();
    ASSERT_EQ(events.size(), 1u) << this->ex() << ": one byte in the pipe: its read end is ready"
                                 << this->lost_interest();
    EXPECT_EQ(events[0].fd, pipe.read_end()) << this->ex() << ": the event names the ready fd";
    EXPECT_EQ(events[0].events, unsigned{EVENT_READ})
        << this->ex() << ": a readable fd registered for reading reports EVENT_READ";
    EXPECT_EQ(events[0].data, &tag)
        << this->ex() << ": ReadyEvent::data is the pointer given to register_fd";
    EXPECT_EQ(this->look().size(), 1u)
        << this->ex() << ": level-triggered: the fd stays ready until the data is read"
        << this->lost_interest();
    pipe.take(0);
    EXPECT_TRUE(this->look().empty())
        << this->ex() << ": once the data is read, the pipe is not readable";
}

TYPED_TEST(Selector, ReportsAPipeWritableWhileItHasRoom) {
    Pipe pipe;
    this->selector.register_fd(pipe.write_end(), EVENT_WRITE);
    std::vector<ReadyEvent> events = this->look();
    ASSERT_EQ(events.size(), 1u) << this->ex()
                                 << ": an empty pipe has room: its write end is writable";
    EXPECT_EQ(events[0].fd, pipe.write_end()) << this->ex() << ": the event names the ready fd";
    EXPECT_EQ(events[0].events, unsigned{EVENT_WRITE})
        << this->ex() << ": a writable fd registered for writing reports EVENT_WRITE";
    pipe.fill();
    EXPECT_TRUE(this->look().empty()) << this->ex() << ": a full pipe is not writable";
    pipe.take(0);
    EXPECT_EQ(this->look().size(), 1u)
        << this->ex() << ": drained, the pipe is writable again" << this->lost_interest();
}

TYPED_TEST(Selector, ReportsReadAndWriteOfOneFdAsOneEvent) {
    SocketPair pair;
    int tag = 0;
    this->selector.register_fd(pair.left(), EVENT_READ | EVENT_WRITE, &tag);
    std::vector<ReadyEvent> events = this->look();
    ASSERT_EQ(events.size(), 1u) << this->ex() << ": a connected socket has room: one event";
    EXPECT_EQ(events[0].events, unsigned{EVENT_WRITE})
        << this->ex() << ": no data yet: writable only";
    pair.send_to_left("hello");
    events = this->look();
    ASSERT_EQ(events.size(), 1u) << this->ex()
                                 << ": one fd is one event, even when both interests are ready"
                                 << this->lost_interest();
    EXPECT_EQ(events[0].fd, pair.left()) << this->ex() << ": the event names the ready fd";
    EXPECT_EQ(events[0].events, unsigned{EVENT_READ | EVENT_WRITE})
        << this->ex() << ": readable and writable: both bits in one event";
    EXPECT_EQ(events[0].data, &tag) << this->ex() << ": the event carries the key's data";
}

TYPED_TEST(Selector, NeverReportsAnInterestThatIsNotRegistered) {
    SocketPair pair;
    this->selector.register_fd(pair.left(), EVENT_READ);
    EXPECT_TRUE(this->look().empty())
        << this->ex()
        << ": the socket is writable, but only reading was registered: nothing to report";
    pair.send_to_left("x");
    this->selector.register_fd(pair.right(), EVENT_WRITE);
    std::map<int, unsigned> got;
    for (const ReadyEvent& event : this->look())
        got[event.fd] = event.events;
    EXPECT_EQ(got,
              (std::map<int, unsigned>{{pair.left(), EVENT_READ}, {pair.right(), EVENT_WRITE}}))
        << this->ex() << ": each fd reports the interests it is registered for, and only those"
        << this->lost_interest();
}

// ------------------------------------------------------------------ registrations

TYPED_TEST(Selector, ModifySwitchesTheInterestAndTheData) {
    SocketPair pair;
    int first = 0, second = 0;
    this->selector.register_fd(pair.left(), EVENT_READ, &first);
    EXPECT_TRUE(this->look().empty()) << this->ex() << ": no data yet: nothing to read";
    this->selector.modify(pair.left(), EVENT_WRITE, &second);
    std::vector<ReadyEvent> events = this->look();
    ASSERT_EQ(events.size(), 1u) << this->ex()
                                 << ": after modify(EVENT_WRITE) the writable socket is reported"
                                 << this->lost_interest();
    EXPECT_EQ(events[0].events, unsigned{EVENT_WRITE})
        << this->ex() << ": the event holds the new interest";
    EXPECT_EQ(events[0].data, &second) << this->ex() << ": modify replaces the data too";
    ASSERT_NE(this->selector.get_key(pair.left()), nullptr)
        << "ch01.validate: a modified fd is still registered";
    EXPECT_EQ(this->selector.get_key(pair.left())->events, unsigned{EVENT_WRITE})
        << "ch01.validate: the key holds the new interest";
    this->selector.modify(pair.left(), EVENT_READ, &first);
    EXPECT_TRUE(this->look().empty())
        << this->ex() << ": back to reading only: no data, nothing to report";
    this->selector.modify(pair.left(), EVENT_READ, &second); // the data alone changes
    pair.send_to_left("x");
    events = this->look();
    ASSERT_EQ(events.size(), 1u) << this->ex() << ": a byte arrived: the socket is readable"
                                 << this->lost_interest();
    EXPECT_EQ(events[0].events, unsigned{EVENT_READ})
        << this->ex() << ": registered for reading only: EVENT_READ alone";
    EXPECT_EQ(events[0].data, &second)
        << this->ex() << ": a modify that changes only the data must keep it";
    EXPECT_EQ(this->selector.size(), 1u) << "ch01.validate: modify never adds a registration";
}

TYPED_TEST(Selector, UnregisterStopsTheReports) {
    Pipe pipe;
    this->selector.register_fd(pipe.read_end(), EVENT_READ);
    pipe.write_byte();
    ASSERT_EQ(this->look().size(), 1u) << this->ex() << ": a byte in the pipe: readable";
    this->selector.unregister(pipe.read_end());
    EXPECT_TRUE(this->look().empty()) << this->ex() << ": an unregistered fd is never reported";
    EXPECT_EQ(this->selector.size(), 0u) << "ch01.validate: unregister removes the key";
    EXPECT_EQ(this->selector.get_key(pipe.read_end()), nullptr)
        << "ch01.validate: unregister removes the key";
    this->selector.register_fd(pipe.read_end(), EVENT_READ);
    EXPECT_EQ(this->look().size(), 1u)
        << this->ex() << ": registered again, the fd is watched again";
}

TYPED_TEST(Selector, KeysAndDataRoundTrip) {
    Pipe a, b, c;
    int da = 1, db = 2, dc = 3;
    this->selector.register_fd(a.read_end(), EVENT_READ, &da);
    this->selector.register_fd(b.write_end(), EVENT_WRITE, &db);
    this->selector.register_fd(c.read_end(), EVENT_READ, &dc);
    EXPECT_EQ(this->selector.size(), 3u) << "ch01.validate: three fds registered";
    const aio::SelectorKey* key = this->selector.get_key(b.write_end());
    ASSERT_NE(key, nullptr) << "ch01.validate: get_key finds a registered fd";
    EXPECT_EQ(key->fd, b.write_end()) << "ch01.validate: the key holds its fd";
    EXPECT_EQ(key->events, unsigned{EVENT_WRITE}) << "ch01.validate: the key holds its events";
    EXPECT_EQ(key->data, &db) << "ch01.validate: the key holds its data";
    EXPECT_EQ(this->selector.get_key(b.read_end()), nullptr)
        << "ch01.validate: that end is not registered";
    a.write_byte();
    c.write_byte();
    std::map<int, void*> got;
    for (const ReadyEvent& event : this->look())
        got[event.fd] = event.data;
    EXPECT_EQ(
        got, (std::map<int, void*>{{a.read_end(), &da}, {b.write_end(), &db}, {c.read_end(), &dc}}))
        << this->ex() << ": every ready fd comes back once, with its own data"
        << this->lost_interest();
}

// ------------------------------------------------------------------ timeouts

TYPED_TEST(Selector, AZeroOrNegativeTimeoutOnlyLooks) {
    Pipe pipe;
    this->selector.register_fd(pipe.read_end(), EVENT_READ);
    looplab::WriteLater rescue(pipe.write_end(), 3000ms); // ends a wait that should not be
    looplab::Stopwatch watch;
    for (int i = 0; i < 100; ++i) {
        ASSERT_TRUE(this->selector.select(0ms).empty())
            << this->ex() << ": select(0) looks and returns";
        ASSERT_TRUE(this->selector.select(-10ms).empty())
            << "ch01.retry_eintr: a negative timeout is a zero timeout: it must not block";
    }
    EXPECT_LT(watch.millis(), 150.0)
        << this->ex() << ": 200 zero-timeout selects must not wait at all";
}

TYPED_TEST(Selector, AFiniteTimeoutWaitsAtLeastThatLong) {
    Pipe pipe;
    this->selector.register_fd(pipe.read_end(), EVENT_READ);
    looplab::Stopwatch watch;
    std::vector<ReadyEvent> events = this->selector.select(50ms);
    double waited = watch.millis();
    looplab::report_timing(std::string(this->selector.name()) +
                           "(50 ms) on an idle pipe returned after " + looplab::fixed(waited, 1) +
                           " ms");
    EXPECT_TRUE(events.empty()) << this->ex() << ": nothing was ready";
    EXPECT_GE(waited, 45.0) << this->ex()
                            << ": the timeout is the time to wait: round up, never down";
    EXPECT_LT(waited, 1000.0) << this->ex() << ": a 50 ms timeout must end the wait";
}

TYPED_TEST(Selector, NoTimeoutBlocksUntilAnFdIsReady) {
    Pipe pipe;
    this->selector.register_fd(pipe.read_end(), EVENT_READ);
    looplab::Stopwatch watch;
    looplab::WriteLater writer(pipe.write_end(), 60ms);
    std::vector<ReadyEvent> events = this->selector.select(std::nullopt);
    EXPECT_GE(watch.millis(), 50.0)
        << this->ex() << ": select(nullopt) blocks until an fd is ready";
    ASSERT_EQ(events.size(), 1u) << this->ex()
                                 << ": it returns when the other thread's byte arrives";
    EXPECT_EQ(events[0].fd, pipe.read_end()) << this->ex() << ": the event names the ready fd";
}

namespace {
std::atomic<int> signals_handled{0};
extern "C" void count_signal(int) {
    signals_handled.fetch_add(1);
}
} // namespace

// Three SIGALRMs land during a 200 ms wait, at 50, 100 and 150 ms. Each makes the
// system call fail with EINTR. Waiting again for the time left ends at 200 ms;
// restarting the whole timeout after the last one would end at 350 ms.
TYPED_TEST(Selector, ASignalNeitherCutsTheWaitShortNorRestartsIt) {
    Pipe pipe;
    this->selector.register_fd(pipe.read_end(), EVENT_READ);
    struct sigaction action {};
    struct sigaction previous {};
    action.sa_handler = count_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0; // no SA_RESTART: the wait fails with EINTR
    ASSERT_EQ(::sigaction(SIGALRM, &action, &previous), 0) << "the test installs a handler";
    signals_handled = 0;
    pthread_t waiter = ::pthread_self();
    std::thread sender([waiter] {
        for (int i = 0; i < 3; ++i) {
            std::this_thread::sleep_for(50ms);
            ::pthread_kill(waiter, SIGALRM);
        }
    });
    looplab::Stopwatch watch;
    std::vector<ReadyEvent> events;
    std::string error;
    try {
        events = this->selector.select(200ms);
    } catch (const std::exception& e) {
        error = e.what();
    }
    double waited = watch.millis();
    sender.join();
    ::sigaction(SIGALRM, &previous, nullptr);
    looplab::report_timing(std::string(this->selector.name()) +
                           "(200 ms) with 3 signals returned after " + looplab::fixed(waited, 1) +
                           " ms");
    ASSERT_EQ(error, "") << this->ex()
                         << ": EINTR is not an error: return false, and ch01.retry_eintr waits "
                            "again for the time left";
    EXPECT_GE(signals_handled.load(), 1) << "the signals should have arrived during the wait";
    EXPECT_TRUE(events.empty()) << this->ex() << ": nothing was ready";
    EXPECT_GE(waited, 190.0)
        << "ch01.retry_eintr: a signal must not end the wait early: wait again after EINTR";
    EXPECT_LT(waited, 320.0) << "ch01.retry_eintr: after EINTR, wait for the time LEFT until the "
                                "deadline, not the whole timeout again";
}
