// Graded tests, run on every backend: bad input gets a clear error, a hang-up
// wakes the registered interests, and a closed fd (even one whose number was
// reused) never gets an event it did not ask for.
#include <cstdio>
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
using looplab::FdLimit;
using looplab::is_epoll;
using looplab::is_select;
using looplab::message_of;
using looplab::Pipe;
using looplab::Selector;
using looplab::SelectorBackends;
using looplab::SocketPair;

TYPED_TEST_SUITE(Selector, SelectorBackends, BackendName);

// ------------------------------------------------------------------ bad input

TYPED_TEST(Selector, RegisteringTwiceIsAKeyErrorThatSaysUseModify) {
    Pipe pipe;
    int first = 0, second = 0;
    this->selector.register_fd(pipe.read_end(), EVENT_READ, &first);
    auto message = message_of<aio::KeyError>(
        [&] { this->selector.register_fd(pipe.read_end(), EVENT_WRITE, &second); });
    ASSERT_TRUE(message) << "ch01.validate: registering a registered fd is a KeyError";
    EXPECT_NE(message->find("already registered"), std::string::npos)
        << "ch01.validate: say what is wrong: " << *message;
    EXPECT_NE(message->find("modify"), std::string::npos)
        << "ch01.validate: tell the caller what to do: " << *message;
    EXPECT_THROW(this->selector.register_fd(pipe.read_end(), 0), aio::KeyError)
        << "ch01.validate: register checks 'already registered' before the events";
    const aio::SelectorKey* key = this->selector.get_key(pipe.read_end());
    ASSERT_NE(key, nullptr) << "ch01.validate: the first registration stays";
    EXPECT_EQ(key->events, unsigned{EVENT_READ}) << "ch01.validate: a refused call changes nothing";
    EXPECT_EQ(key->data, &first) << "ch01.validate: a refused call changes nothing";
    EXPECT_EQ(this->selector.size(), 1u) << "ch01.validate: a refused call changes nothing";
}

TYPED_TEST(Selector, AnUnknownFdIsAKeyErrorForModifyAndUnregister) {
    Pipe pipe;
    auto modified =
        message_of<aio::KeyError>([&] { this->selector.modify(pipe.read_end(), EVENT_READ); });
    ASSERT_TRUE(modified) << "ch01.validate: modify of an fd that is not registered is a KeyError";
    EXPECT_NE(modified->find("not registered"), std::string::npos)
        << "ch01.validate: say what is wrong: " << *modified;
    EXPECT_NE(modified->find("register_fd"), std::string::npos)
        << "ch01.validate: tell the caller what to do: " << *modified;
    EXPECT_THROW(this->selector.modify(pipe.read_end(), 0), aio::KeyError)
        << "ch01.validate: modify checks 'not registered' before the events";
    EXPECT_THROW(this->selector.modify(-1, EVENT_READ), aio::KeyError)
        << "ch01.validate: modify of fd -1: it is not registered, a KeyError";
    EXPECT_TRUE(message_of<aio::KeyError>([&] { this->selector.unregister(pipe.read_end()); }))
        << "ch01.validate: unregister of an fd that is not registered is a KeyError";
    this->selector.register_fd(pipe.read_end(), EVENT_READ);
    this->selector.unregister(pipe.read_end());
    EXPECT_TRUE(message_of<aio::KeyError>([&] { this->selector.unregister(pipe.read_end()); }))
        << "ch01.validate: unregistering twice is a KeyError";
    EXPECT_EQ(this->selector.size(), 0u) << "ch01.validate: nothing is left registered";
}

TYPED_TEST(Selector, InvalidEventsOrFdsAreValueErrors) {
    Pipe pipe;
    int fd = pipe.read_end();
    for (unsigned events : {0u, 4u, unsigned{EVENT_READ} | 8u}) {
        auto message = message_of<aio::ValueError>([&] { this->selector.register_fd(fd, events); });
        ASSERT_TRUE(message) << "ch01.validate: register_fd with events " << events
                             << " is a ValueError";
        EXPECT_NE(message->find("EVENT_READ"), std::string::npos)
            << "ch01.validate: say which events are valid: " << *message;
    }
    auto bad_fd = message_of<aio::ValueError>([&] { this->selector.register_fd(-1, EVENT_READ); });
    ASSERT_TRUE(bad_fd) << "ch01.validate: fd -1 is a ValueError";
    EXPECT_NE(bad_fd->find("not a valid file descriptor"), std::string::npos)
        << "ch01.validate: say what is wrong: " << *bad_fd;
    auto both = message_of<aio::ValueError>([&] { this->selector.register_fd(-1, 0); });
    ASSERT_TRUE(both) << "ch01.validate: fd -1 with events 0 is a ValueError";
    EXPECT_NE(both->find("not a valid file descriptor"), std::string::npos)
        << "ch01.validate: register checks the fd before the events: " << *both;
    EXPECT_EQ(this->selector.size(), 0u) << "ch01.validate: nothing was registered";
    this->selector.register_fd(fd, EVENT_READ);
    EXPECT_TRUE(message_of<aio::ValueError>([&] { this->selector.modify(fd, 0); }))
        << "ch01.validate: modify with no events is a ValueError (unregister is the way to stop "
           "watching)";
    EXPECT_EQ(this->selector.get_key(fd)->events, unsigned{EVENT_READ})
        << "ch01.validate: a refused modify changes nothing";
}

// A regular file is always ready: select and poll report it at once, epoll
// refuses it (EPERM), which the kit turns into a ValueError that says so.
TYPED_TEST(Selector, ARegularFileIsAlwaysReadyOrAValueError) {
    std::FILE* file = std::tmpfile();
    ASSERT_NE(file, nullptr) << "the test needs a temporary file";
    int fd = ::fileno(file);
    if constexpr (is_epoll<TypeParam>) {
        auto message =
            message_of<aio::ValueError>([&] { this->selector.register_fd(fd, EVENT_READ); });
        ASSERT_TRUE(message) << "ch01.epoll_ctl: epoll cannot watch a regular file (EPERM): "
                                "throw_epoll_ctl makes that a ValueError, not a system_error";
        EXPECT_NE(message->find("regular file"), std::string::npos)
            << "ch01.epoll_ctl: say why: " << *message;
        EXPECT_EQ(this->selector.size(), 0u) << "ch01.epoll_ctl: the refused fd is not registered";
    } else {
        this->selector.register_fd(fd, EVENT_READ);
        EXPECT_EQ(this->look().size(), 1u)
            << this->ex() << ": a regular file is always readable" << this->lost_interest();
        this->selector.unregister(fd);
    }
    std::fclose(file);
}

TYPED_TEST(Selector, AnFdAboveFdSetsizeIsRefusedBySelectOnly) {
    Pipe pipe;
    int tag = 0;
    pipe.write_byte();
    FdLimit limit(FD_SETSIZE + 200);
    if (!limit.ok(FD_SETSIZE + 200)) {
        std::printf("RLIMIT_NOFILE's hard limit is below %d: no fd >= FD_SETSIZE to try; "
                    "checking a low fd only\n",
                    FD_SETSIZE + 200);
        this->selector.register_fd(pipe.read_end(), EVENT_READ, &tag);
        EXPECT_EQ(this->look().size(), 1u) << this->ex() << ": a pipe with a byte is readable";
        return;
    }
    int high = ::fcntl(pipe.read_end(), F_DUPFD_CLOEXEC, FD_SETSIZE + 76);
    ASSERT_GE(high, FD_SETSIZE) << "could not make an fd above FD_SETSIZE";
    if constexpr (is_select<TypeParam>) {
        auto message =
            message_of<aio::ValueError>([&] { this->selector.register_fd(high, EVENT_READ); });
        EXPECT_TRUE(message) << "ch01.select_interest: select() cannot watch fd " << high
                             << " (FD_SETSIZE is " << FD_SETSIZE << "): a ValueError";
        if (message) {
            EXPECT_NE(message->find("poll"), std::string::npos)
                << "tell the caller what to use instead: " << *message;
        }
        EXPECT_EQ(this->selector.size(), 0u) << "ch01.validate: the refused fd is not registered";
        this->selector.register_fd(pipe.read_end(), EVENT_READ, &tag);
        EXPECT_EQ(this->look().size(), 1u) << this->ex() << ": a low fd works as ever";
    } else {
        this->selector.register_fd(high, EVENT_READ, &tag);
        std::vector<ReadyEvent> events = this->look();
        ASSERT_EQ(events.size(), 1u)
            << this->ex() << ": " << this->selector.name() << " has no FD_SETSIZE limit";
        EXPECT_EQ(events[0].fd, high) << this->ex() << ": the event names fd " << high;
        EXPECT_EQ(events[0].data, &tag) << this->ex() << ": the event carries the key's data";
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
        << "unregister must work after close (ch01.epoll_unregister: epoll_ctl DEL then fails "
           "with EBADF)";
    EXPECT_EQ(this->selector.size(), 0u) << "ch01.validate: the key is gone";
    EXPECT_EQ(this->selector.get_key(fd), nullptr) << "ch01.validate: the key is gone";
    Pipe fresh;
    this->selector.register_fd(fresh.read_end(), EVENT_READ);
    fresh.write_byte();
    EXPECT_EQ(this->look().size(), 1u)
        << this->ex() << ": a fresh pipe with a byte, registered after, is reported";
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
        << "unregister must work when the number names a new file (ch01.epoll_unregister: "
           "epoll_ctl DEL fails with ENOENT)";
    EXPECT_EQ(this->selector.size(), 0u) << "ch01.validate: the key is gone";
    ASSERT_NO_THROW(this->selector.register_fd(number, EVENT_READ, &new_tag))
        << "after unregister, the new fd with the old number can be registered";
    EXPECT_TRUE(this->look().empty())
        << this->ex() << ": the new pipe is empty: nothing may be reported";
    fresh.write_byte();
    std::vector<ReadyEvent> events = this->look();
    ASSERT_EQ(events.size(), 1u) << this->ex() << ": the new registration works";
    EXPECT_EQ(events[0].fd, number) << this->ex() << ": the event names the new fd";
    EXPECT_EQ(events[0].data, &new_tag) << this->ex() << ": with the new registration's data";
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
    ASSERT_GE(keeper, 0) << "the test needs a dup of the fd";
    old_pipe.close_read_end();
    EXPECT_NO_THROW(this->selector.unregister(number))
        << "unregister must work after close (ch01.epoll_unregister: EBADF is 'already gone')";
    old_pipe.write_byte(); // the old pipe is readable now
    EXPECT_TRUE(this->look().empty()) << this->ex() << ": an unregistered fd is never reported";
    Pipe fresh;
    fresh.move_end_to(0, number);
    this->selector.register_fd(number, EVENT_READ, &new_tag);
    EXPECT_TRUE(this->look().empty())
        << this->ex()
        << ": the new pipe is empty; the readable one is the OLD file, which the kernel (epoll) "
           "still reports under the same number: tell registrations apart (epoll_data tag)";
    fresh.write_byte();
    std::vector<ReadyEvent> events = this->look();
    ASSERT_EQ(events.size(), 1u)
        << this->ex() << ": the new fd, once, with its own data (epoll: the ghost still takes "
        << "a slot in the ready list; ch01.epoll_unregister counts the possible ghost, and "
        << "the wait keeps a buffer slot for each)";
    EXPECT_EQ(events[0].fd, number) << this->ex() << ": the event names the new fd";
    EXPECT_EQ(events[0].data, &new_tag) << this->ex() << ": with the new registration's data";
    ::close(keeper);
}

// ------------------------------------------------------------------ hang-ups

TYPED_TEST(Selector, AHangUpIsReportedAsTheRegisteredInterest) {
    Pipe pipe;
    int tag = 0;
    this->selector.register_fd(pipe.read_end(), EVENT_READ, &tag);
    pipe.close_write_end();
    std::vector<ReadyEvent> events = this->look();
    ASSERT_EQ(events.size(), 1u) << this->ex() << ": the writer hung up: the reader must be woken";
    EXPECT_EQ(events[0].events, unsigned{EVENT_READ})
        << this->ex()
        << ": a hang-up on an fd registered for reading reports EVENT_READ (POLLHUP/EPOLLHUP "
           "map to the registered interests)";
    EXPECT_EQ(events[0].data, &tag) << this->ex() << ": the event carries the key's data";
    EXPECT_EQ(pipe.take(0), "") << "and read() then says end of file";

    SocketPair pair;
    this->selector.register_fd(pair.left(), EVENT_READ);
    pair.close_right();
    std::map<int, unsigned> got;
    for (const ReadyEvent& event : this->look())
        got[event.fd] = event.events;
    EXPECT_EQ(got[pair.left()], unsigned{EVENT_READ})
        << this->ex() << ": a socket whose peer closed is readable";

    Pipe other;
    this->selector.register_fd(other.write_end(), EVENT_WRITE);
    other.close_read_end();
    got.clear();
    for (const ReadyEvent& event : this->look())
        got[event.fd] = event.events;
    EXPECT_EQ(got[other.write_end()], unsigned{EVENT_WRITE})
        << this->ex()
        << ": an fd registered for writing whose reader is gone reports EVENT_WRITE only "
           "(POLLERR/EPOLLERR map to the registered interests); the write() says EPIPE";
}
