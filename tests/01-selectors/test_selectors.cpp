// Graded tests: one suite, run on every backend (select, poll, and epoll on Linux),
// holding all of them to the same semantics. gtest names them Selector/<backend>.Name.
#include <pthread.h>
#include <sys/resource.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <type_traits>

#include <gtest/gtest.h>

#include "poll_selector.hpp"
#include "select_selector.hpp"
#include "selector.hpp"
#include "selector_test_helpers.hpp"
#include "timing.hpp"
#ifdef __linux__
#include "epoll_selector.hpp"
#endif

using namespace std::chrono_literals;
using aio::EVENT_READ;
using aio::EVENT_WRITE;
using aio::ReadyEvent;
using looplab::message_of;
using looplab::Pipe;
using looplab::SocketPair;

namespace {

template <class Backend>
class Selector : public ::testing::Test {
protected:
    Backend selector;
    std::vector<ReadyEvent> look() { return selector.select(0ms); } // a zero-timeout select
};

#ifdef __linux__
using Backends = ::testing::Types<aio::SelectSelector, aio::PollSelector, aio::EpollSelector>;
#else
using Backends = ::testing::Types<aio::SelectSelector, aio::PollSelector>;
#endif

// Names the instantiations Selector/select, Selector/poll, Selector/epoll.
struct BackendName {
    template <class T>
    static std::string GetName(int) {
        if constexpr (std::is_same_v<T, aio::SelectSelector>)
            return "select";
        else if constexpr (std::is_same_v<T, aio::PollSelector>)
            return "poll";
        else
            return "epoll";
    }
};

template <class T>
constexpr bool is_select = std::is_same_v<T, aio::SelectSelector>;
#ifdef __linux__
template <class T>
constexpr bool is_epoll = std::is_same_v<T, aio::EpollSelector>;
#else
template <class T>
constexpr bool is_epoll = false;
#endif

} // namespace

TYPED_TEST_SUITE(Selector, Backends, BackendName);

// ------------------------------------------------------------------ readiness

TYPED_TEST(Selector, ReportsAPipeReadableOnlyOnceDataArrives) {
    Pipe pipe;
    int tag = 0;
    this->selector.register_fd(pipe.read_end(), EVENT_READ, &tag);
    EXPECT_TRUE(this->look().empty()) << "an empty pipe is not readable";
    pipe.write_byte();
    std::vector<ReadyEvent> events = this->look();
    ASSERT_EQ(events.size(), 1u) << "one byte in the pipe: its read end is ready";
    EXPECT_EQ(events[0].fd, pipe.read_end());
    EXPECT_EQ(events[0].events, unsigned{EVENT_READ});
    EXPECT_EQ(events[0].data, &tag) << "ReadyEvent::data is the pointer given to register_fd";
    EXPECT_EQ(this->look().size(), 1u)
        << "level-triggered: the fd stays ready until the data is read";
    pipe.take(0);
    EXPECT_TRUE(this->look().empty()) << "once the data is read, the pipe is not readable";
}

TYPED_TEST(Selector, ReportsAPipeWritableWhileItHasRoom) {
    Pipe pipe;
    this->selector.register_fd(pipe.write_end(), EVENT_WRITE);
    std::vector<ReadyEvent> events = this->look();
    ASSERT_EQ(events.size(), 1u) << "an empty pipe has room: its write end is writable";
    EXPECT_EQ(events[0].fd, pipe.write_end());
    EXPECT_EQ(events[0].events, unsigned{EVENT_WRITE});
    pipe.fill();
    EXPECT_TRUE(this->look().empty()) << "a full pipe is not writable";
    pipe.take(0);
    EXPECT_EQ(this->look().size(), 1u) << "drained, the pipe is writable again";
}

TYPED_TEST(Selector, ReportsReadAndWriteOfOneFdAsOneEvent) {
    SocketPair pair;
    int tag = 0;
    this->selector.register_fd(pair.left(), EVENT_READ | EVENT_WRITE, &tag);
    std::vector<ReadyEvent> events = this->look();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].events, unsigned{EVENT_WRITE}) << "no data yet: writable only";
    pair.send_to_left("hello");
    events = this->look();
    ASSERT_EQ(events.size(), 1u) << "one fd is one event, even when both interests are ready";
    EXPECT_EQ(events[0].fd, pair.left());
    EXPECT_EQ(events[0].events, unsigned{EVENT_READ | EVENT_WRITE});
    EXPECT_EQ(events[0].data, &tag);
}

TYPED_TEST(Selector, NeverReportsAnInterestThatIsNotRegistered) {
    SocketPair pair;
    this->selector.register_fd(pair.left(), EVENT_READ);
    EXPECT_TRUE(this->look().empty())
        << "the socket is writable, but only reading was registered: nothing to report";
    pair.send_to_left("x");
    this->selector.register_fd(pair.right(), EVENT_WRITE);
    std::map<int, unsigned> got;
    for (const ReadyEvent& event : this->look())
        got[event.fd] = event.events;
    EXPECT_EQ(got,
              (std::map<int, unsigned>{{pair.left(), EVENT_READ}, {pair.right(), EVENT_WRITE}}))
        << "each fd reports the interests it is registered for, and only those";
}

// ------------------------------------------------------------------ registrations

TYPED_TEST(Selector, ModifySwitchesTheInterestAndTheData) {
    SocketPair pair;
    int first = 0, second = 0;
    this->selector.register_fd(pair.left(), EVENT_READ, &first);
    EXPECT_TRUE(this->look().empty());
    this->selector.modify(pair.left(), EVENT_WRITE, &second);
    std::vector<ReadyEvent> events = this->look();
    ASSERT_EQ(events.size(), 1u) << "after modify(EVENT_WRITE) the writable socket is reported";
    EXPECT_EQ(events[0].events, unsigned{EVENT_WRITE});
    EXPECT_EQ(events[0].data, &second) << "modify replaces the data too";
    ASSERT_NE(this->selector.get_key(pair.left()), nullptr);
    EXPECT_EQ(this->selector.get_key(pair.left())->events, unsigned{EVENT_WRITE});
    this->selector.modify(pair.left(), EVENT_READ, &first);
    EXPECT_TRUE(this->look().empty()) << "back to reading only: no data, nothing to report";
    this->selector.modify(pair.left(), EVENT_READ, &second); // the data alone changes
    pair.send_to_left("x");
    events = this->look();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].events, unsigned{EVENT_READ});
    EXPECT_EQ(events[0].data, &second) << "a modify that changes only the data must keep it";
    EXPECT_EQ(this->selector.size(), 1u);
}

TYPED_TEST(Selector, UnregisterStopsTheReports) {
    Pipe pipe;
    this->selector.register_fd(pipe.read_end(), EVENT_READ);
    pipe.write_byte();
    ASSERT_EQ(this->look().size(), 1u);
    this->selector.unregister(pipe.read_end());
    EXPECT_TRUE(this->look().empty()) << "an unregistered fd is never reported";
    EXPECT_EQ(this->selector.size(), 0u);
    EXPECT_EQ(this->selector.get_key(pipe.read_end()), nullptr);
    this->selector.register_fd(pipe.read_end(), EVENT_READ);
    EXPECT_EQ(this->look().size(), 1u) << "registered again, the fd is watched again";
}

TYPED_TEST(Selector, KeysAndDataRoundTrip) {
    Pipe a, b, c;
    int da = 1, db = 2, dc = 3;
    this->selector.register_fd(a.read_end(), EVENT_READ, &da);
    this->selector.register_fd(b.write_end(), EVENT_WRITE, &db);
    this->selector.register_fd(c.read_end(), EVENT_READ, &dc);
    EXPECT_EQ(this->selector.size(), 3u);
    const aio::SelectorKey* key = this->selector.get_key(b.write_end());
    ASSERT_NE(key, nullptr);
    EXPECT_EQ(key->fd, b.write_end());
    EXPECT_EQ(key->events, unsigned{EVENT_WRITE});
    EXPECT_EQ(key->data, &db);
    EXPECT_EQ(this->selector.get_key(b.read_end()), nullptr) << "that end is not registered";
    a.write_byte();
    c.write_byte();
    std::map<int, void*> got;
    for (const ReadyEvent& event : this->look())
        got[event.fd] = event.data;
    EXPECT_EQ(
        got, (std::map<int, void*>{{a.read_end(), &da}, {b.write_end(), &db}, {c.read_end(), &dc}}))
        << "every ready fd comes back once, with its own data";
}

// ------------------------------------------------------------------ timeouts

TYPED_TEST(Selector, AZeroOrNegativeTimeoutOnlyLooks) {
    Pipe pipe;
    this->selector.register_fd(pipe.read_end(), EVENT_READ);
    looplab::WriteLater rescue(pipe.write_end(), 3000ms); // ends a wait that should not be
    looplab::Stopwatch watch;
    for (int i = 0; i < 100; ++i) {
        ASSERT_TRUE(this->selector.select(0ms).empty()) << "select(0) looks and returns";
        ASSERT_TRUE(this->selector.select(-10ms).empty())
            << "a negative timeout is a zero timeout: it must not block";
    }
    EXPECT_LT(watch.millis(), 150.0) << "200 zero-timeout selects must not wait at all";
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
    EXPECT_TRUE(events.empty()) << "nothing was ready";
    EXPECT_GE(waited, 45.0) << "the timeout is the time to wait: round up, never down";
    EXPECT_LT(waited, 1000.0) << "a 50 ms timeout must end the wait";
}

TYPED_TEST(Selector, NoTimeoutBlocksUntilAnFdIsReady) {
    Pipe pipe;
    this->selector.register_fd(pipe.read_end(), EVENT_READ);
    looplab::Stopwatch watch;
    looplab::WriteLater writer(pipe.write_end(), 60ms);
    std::vector<ReadyEvent> events = this->selector.select(std::nullopt);
    EXPECT_GE(watch.millis(), 50.0) << "select(nullopt) blocks until an fd is ready";
    ASSERT_EQ(events.size(), 1u) << "it returns when the other thread's byte arrives";
    EXPECT_EQ(events[0].fd, pipe.read_end());
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
    ASSERT_EQ(::sigaction(SIGALRM, &action, &previous), 0);
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
    ASSERT_EQ(error, "") << "EINTR is not an error: wait again for the time left";
    EXPECT_GE(signals_handled.load(), 1) << "the signals should have arrived during the wait";
    EXPECT_TRUE(events.empty());
    EXPECT_GE(waited, 190.0) << "a signal must not end the wait early: wait again after EINTR";
    EXPECT_LT(waited, 320.0) << "after EINTR, wait for the time LEFT until the deadline, not the "
                                "whole timeout again";
}

// ------------------------------------------------------------------ hang-ups

TYPED_TEST(Selector, AHangUpIsReportedAsTheRegisteredInterest) {
    Pipe pipe;
    int tag = 0;
    this->selector.register_fd(pipe.read_end(), EVENT_READ, &tag);
    pipe.close_write_end();
    std::vector<ReadyEvent> events = this->look();
    ASSERT_EQ(events.size(), 1u) << "the writer hung up: the reader must be woken";
    EXPECT_EQ(events[0].events, unsigned{EVENT_READ})
        << "a hang-up on an fd registered for reading reports EVENT_READ (POLLHUP/EPOLLHUP "
           "map to the registered interests)";
    EXPECT_EQ(events[0].data, &tag);
    EXPECT_EQ(pipe.take(0), "") << "and read() then says end of file";

    SocketPair pair;
    this->selector.register_fd(pair.left(), EVENT_READ);
    pair.close_right();
    std::map<int, unsigned> got;
    for (const ReadyEvent& event : this->look())
        got[event.fd] = event.events;
    EXPECT_EQ(got[pair.left()], unsigned{EVENT_READ}) << "a socket whose peer closed is readable";

    Pipe other;
    this->selector.register_fd(other.write_end(), EVENT_WRITE);
    other.close_read_end();
    got.clear();
    for (const ReadyEvent& event : this->look())
        got[event.fd] = event.events;
    EXPECT_EQ(got[other.write_end()], unsigned{EVENT_WRITE})
        << "an fd registered for writing whose reader is gone reports EVENT_WRITE only "
           "(POLLERR/EPOLLERR map to the registered interests); the write() says EPIPE";
}

// ------------------------------------------------------------------ bad input

TYPED_TEST(Selector, RegisteringTwiceIsAKeyErrorThatSaysUseModify) {
    Pipe pipe;
    int first = 0, second = 0;
    this->selector.register_fd(pipe.read_end(), EVENT_READ, &first);
    auto message = message_of<aio::KeyError>(
        [&] { this->selector.register_fd(pipe.read_end(), EVENT_WRITE, &second); });
    ASSERT_TRUE(message) << "registering a registered fd is a KeyError";
    EXPECT_NE(message->find("already registered"), std::string::npos) << *message;
    EXPECT_NE(message->find("modify"), std::string::npos)
        << "tell the caller what to do: " << *message;
    const aio::SelectorKey* key = this->selector.get_key(pipe.read_end());
    ASSERT_NE(key, nullptr);
    EXPECT_EQ(key->events, unsigned{EVENT_READ}) << "a refused call changes nothing";
    EXPECT_EQ(key->data, &first);
    EXPECT_EQ(this->selector.size(), 1u);
}

TYPED_TEST(Selector, AnUnknownFdIsAKeyErrorForModifyAndUnregister) {
    Pipe pipe;
    auto modified =
        message_of<aio::KeyError>([&] { this->selector.modify(pipe.read_end(), EVENT_READ); });
    ASSERT_TRUE(modified) << "modify of an fd that is not registered is a KeyError";
    EXPECT_NE(modified->find("not registered"), std::string::npos) << *modified;
    EXPECT_TRUE(message_of<aio::KeyError>([&] { this->selector.unregister(pipe.read_end()); }))
        << "unregister of an fd that is not registered is a KeyError";
    this->selector.register_fd(pipe.read_end(), EVENT_READ);
    this->selector.unregister(pipe.read_end());
    EXPECT_TRUE(message_of<aio::KeyError>([&] { this->selector.unregister(pipe.read_end()); }))
        << "unregistering twice is a KeyError";
    EXPECT_EQ(this->selector.size(), 0u);
}

TYPED_TEST(Selector, InvalidEventsOrFdsAreValueErrors) {
    Pipe pipe;
    int fd = pipe.read_end();
    for (unsigned events : {0u, 4u, unsigned{EVENT_READ} | 8u}) {
        auto message = message_of<aio::ValueError>([&] { this->selector.register_fd(fd, events); });
        ASSERT_TRUE(message) << "register_fd with events " << events << " is a ValueError";
        EXPECT_NE(message->find("EVENT_READ"), std::string::npos)
            << "say which events are valid: " << *message;
    }
    EXPECT_TRUE(message_of<aio::ValueError>([&] { this->selector.register_fd(-1, EVENT_READ); }))
        << "fd -1 is a ValueError";
    EXPECT_EQ(this->selector.size(), 0u) << "nothing was registered";
    this->selector.register_fd(fd, EVENT_READ);
    EXPECT_TRUE(message_of<aio::ValueError>([&] { this->selector.modify(fd, 0); }))
        << "modify with no events is a ValueError (unregister is the way to stop watching)";
    EXPECT_EQ(this->selector.get_key(fd)->events, unsigned{EVENT_READ});
}

// A regular file is always ready: select and poll report it at once, epoll
// refuses it (EPERM), which the kit turns into a ValueError that says so.
TYPED_TEST(Selector, ARegularFileIsAlwaysReadyOrAValueError) {
    std::FILE* file = std::tmpfile();
    ASSERT_NE(file, nullptr);
    int fd = ::fileno(file);
    if constexpr (is_epoll<TypeParam>) {
        auto message =
            message_of<aio::ValueError>([&] { this->selector.register_fd(fd, EVENT_READ); });
        ASSERT_TRUE(message)
            << "epoll cannot watch a regular file: a ValueError, not a system_error";
        EXPECT_NE(message->find("regular file"), std::string::npos) << "say why: " << *message;
        EXPECT_EQ(this->selector.size(), 0u) << "the refused fd is not registered";
    } else {
        this->selector.register_fd(fd, EVENT_READ);
        EXPECT_EQ(this->look().size(), 1u) << "a regular file is always readable";
        this->selector.unregister(fd);
    }
    std::fclose(file);
}

namespace {
// Raises the soft fd limit above `needed` for the scope, if the hard limit allows.
class FdLimit {
public:
    explicit FdLimit(rlim_t needed) {
        if (::getrlimit(RLIMIT_NOFILE, &saved_) != 0) return;
        if (saved_.rlim_cur >= needed) {
            ok_ = true;
            return;
        }
        rlimit raised{needed, saved_.rlim_max};
        ok_ = (saved_.rlim_max == RLIM_INFINITY || saved_.rlim_max >= needed) &&
              ::setrlimit(RLIMIT_NOFILE, &raised) == 0;
        changed_ = ok_;
    }
    ~FdLimit() {
        if (changed_) ::setrlimit(RLIMIT_NOFILE, &saved_);
    }
    bool ok() const { return ok_; }

private:
    rlimit saved_{};
    bool ok_ = false;
    bool changed_ = false;
};
} // namespace

TYPED_TEST(Selector, AnFdAboveFdSetsizeIsRefusedBySelectOnly) {
    Pipe pipe;
    int tag = 0;
    pipe.write_byte();
    FdLimit limit(FD_SETSIZE + 200);
    if (!limit.ok()) {
        std::printf("RLIMIT_NOFILE's hard limit is below %d: no fd >= FD_SETSIZE to try; "
                    "checking a low fd only\n",
                    FD_SETSIZE + 200);
        this->selector.register_fd(pipe.read_end(), EVENT_READ, &tag);
        EXPECT_EQ(this->look().size(), 1u);
        return;
    }
    int high = ::fcntl(pipe.read_end(), F_DUPFD_CLOEXEC, FD_SETSIZE + 76);
    ASSERT_GE(high, FD_SETSIZE) << "could not make an fd above FD_SETSIZE";
    if constexpr (is_select<TypeParam>) {
        auto message =
            message_of<aio::ValueError>([&] { this->selector.register_fd(high, EVENT_READ); });
        EXPECT_TRUE(message) << "select() cannot watch fd " << high << " (FD_SETSIZE is "
                             << FD_SETSIZE << "): a ValueError";
        if (message) {
            EXPECT_NE(message->find("poll"), std::string::npos)
                << "tell the caller what to use instead: " << *message;
        }
        EXPECT_EQ(this->selector.size(), 0u) << "the refused fd is not registered";
        this->selector.register_fd(pipe.read_end(), EVENT_READ, &tag);
        EXPECT_EQ(this->look().size(), 1u) << "a low fd works as ever";
    } else {
        this->selector.register_fd(high, EVENT_READ, &tag);
        std::vector<ReadyEvent> events = this->look();
        ASSERT_EQ(events.size(), 1u) << this->selector.name() << " has no FD_SETSIZE limit";
        EXPECT_EQ(events[0].fd, high);
        EXPECT_EQ(events[0].data, &tag);
        this->selector.unregister(high);
    }
    ::close(high);
}

// ------------------------------------------------------------------ closed fds

TYPED_TEST(Selector, UnregisterWorksAfterTheFdWasClosed) {
    auto pipe = std::make_unique<Pipe>();
    int fd = pipe->read_end();
    this->selector.register_fd(fd, EVENT_READ);
    pipe.reset(); // closed while registered: a bug, but the selector must survive it
    EXPECT_NO_THROW(this->selector.unregister(fd))
        << "unregister must work after close (epoll_ctl DEL then fails with EBADF)";
    EXPECT_EQ(this->selector.size(), 0u);
    EXPECT_EQ(this->selector.get_key(fd), nullptr);
    Pipe fresh;
    this->selector.register_fd(fresh.read_end(), EVENT_READ);
    fresh.write_byte();
    EXPECT_EQ(this->look().size(), 1u);
}

TYPED_TEST(Selector, UnregisterWorksAfterTheFdNumberWasReused) {
    auto old_pipe = std::make_unique<Pipe>();
    int number = old_pipe->read_end();
    int old_tag = 0, new_tag = 0;
    this->selector.register_fd(number, EVENT_READ, &old_tag);
    old_pipe->write_byte();
    old_pipe.reset(); // closed while registered...
    Pipe fresh;
    fresh.move_end_to(0, number); // ...and its number now names a new pipe
    EXPECT_NO_THROW(this->selector.unregister(number))
        << "unregister must work when the number names a new file (epoll_ctl DEL: ENOENT)";
    EXPECT_EQ(this->selector.size(), 0u);
    ASSERT_NO_THROW(this->selector.register_fd(number, EVENT_READ, &new_tag))
        << "after unregister, the new fd with the old number can be registered";
    EXPECT_TRUE(this->look().empty()) << "the new pipe is empty: nothing may be reported";
    fresh.write_byte();
    std::vector<ReadyEvent> events = this->look();
    ASSERT_EQ(events.size(), 1u) << "the new registration works";
    EXPECT_EQ(events[0].fd, number);
    EXPECT_EQ(events[0].data, &new_tag);
}

// Under epoll the kernel keeps a registration until the file's LAST descriptor is
// closed. Here a dup keeps the old pipe open (as a forked child would), so after
// close + unregister the kernel still holds the old registration under the old
// number, and it fires. The kit must never pass that event off as the new fd's.
TYPED_TEST(Selector, ALeftoverRegistrationOfAClosedFdNeverReachesItsSuccessor) {
    Pipe old_pipe;
    int number = old_pipe.read_end();
    int old_tag = 0, new_tag = 0;
    this->selector.register_fd(number, EVENT_READ, &old_tag);
    int keeper = ::dup(number); // the old pipe's file stays open
    ASSERT_GE(keeper, 0);
    old_pipe.close_read_end();
    EXPECT_NO_THROW(this->selector.unregister(number));
    old_pipe.write_byte(); // the old pipe is readable now
    EXPECT_TRUE(this->look().empty()) << "an unregistered fd is never reported";
    Pipe fresh;
    fresh.move_end_to(0, number);
    this->selector.register_fd(number, EVENT_READ, &new_tag);
    EXPECT_TRUE(this->look().empty())
        << "the new pipe is empty; the readable one is the OLD file, which the kernel (epoll) "
           "still reports under the same number: tell registrations apart (epoll_data tag)";
    fresh.write_byte();
    std::vector<ReadyEvent> events = this->look();
    ASSERT_EQ(events.size(), 1u) << "the new fd, once, with its own data";
    EXPECT_EQ(events[0].fd, number);
    EXPECT_EQ(events[0].data, &new_tag);
    ::close(keeper);
}
