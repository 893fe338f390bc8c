// Graded tests: the bookkeeping of readers and writers (one selector
// registration per fd), checked in the selector itself before any pass runs.
#include <string>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "event_loop.hpp"
#include "loop_test_access.hpp"
#include "loop_test_helpers.hpp"

using aio::EventLoop;
using Access = aio::detail::LoopTestAccess;

namespace {
// What the selector holds for fd: its events, or 0 if it is not registered.
unsigned registered(const EventLoop& loop, int fd) {
    const aio::SelectorKey* key = Access::selector(loop).get_key(fd);
    return key == nullptr ? 0u : key->events;
}

std::string value_error_of(EventLoop& loop, int fd, aio::Callback cb, bool reader) {
    try {
        reader ? loop.add_reader(fd, std::move(cb)) : loop.add_writer(fd, std::move(cb));
    } catch (const aio::ValueError& e) {
        return e.what();
    }
    return "no ValueError";
}
} // namespace

TEST(Watchers, AReaderAndAWriterOnOneFdShareOneRegistration) {
    EventLoop loop;
    looplab::SocketPair pair;
    int fd = pair.left();
    loop.add_reader(fd, [] {});
    EXPECT_EQ(registered(loop, fd), unsigned{aio::EVENT_READ})
        << "ch03.add_watcher: the first interest registers the fd for reading";
    ASSERT_NO_THROW(loop.add_writer(fd, [] {}))
        << "ch03.add_watcher: a second interest must modify() the registration, not register "
           "the fd again (a KeyError)";
    EXPECT_EQ(registered(loop, fd), unsigned{aio::EVENT_READ | aio::EVENT_WRITE})
        << "ch03.add_watcher: reader and writer share one registration";
    const aio::SelectorKey* key = Access::selector(loop).get_key(fd);
    EXPECT_EQ(key->data, &Access::watchers(loop).at(fd))
        << "ch03.add_watcher: the selector's data pointer is the fd's IoWatcher";
    std::uint32_t first = Access::watchers(loop).at(fd).reader_id;
    ASSERT_NO_THROW(loop.add_reader(fd, [] {})) << "ch03.add_watcher: add_reader replaces";
    EXPECT_NE(Access::watchers(loop).at(fd).reader_id, first)
        << "ch03.add_watcher: a replaced reader gets a fresh id";
    EXPECT_NE(first, 0u) << "ch03.add_watcher: an id is never 0 (0 means none)";
}

TEST(Watchers, BadInputIsAValueErrorAndLeavesNothingBehind) {
    EventLoop loop;
    EXPECT_EQ(value_error_of(
                  loop, -1, [] {}, true),
              "add_reader: invalid file descriptor -1")
        << "ch03.add_watcher: a negative fd is a ValueError naming the caller";
    EXPECT_EQ(value_error_of(
                  loop, -2, [] {}, false),
              "add_writer: invalid file descriptor -2")
        << "ch03.add_watcher: the same for add_writer";
    looplab::SocketPair pair;
    EXPECT_EQ(value_error_of(loop, pair.left(), aio::Callback{}, true),
              "add_reader: the callback is empty")
        << "ch03.add_watcher: an empty callback is a ValueError";
    EventLoop epoll_loop({.selector = "epoll"});
    int file = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(file, 0) << "the test could not open /proc/self/stat";
    EXPECT_THROW(epoll_loop.add_reader(file, [] {}), aio::ValueError)
        << "ch03.add_watcher: what the selector refuses (epoll: a regular file) propagates";
    EXPECT_TRUE(Access::watchers(epoll_loop).empty())
        << "ch03.add_watcher: a refused fd leaves no watcher behind";
    ::close(file);
    loop.close();
    EXPECT_THROW(loop.add_reader(pair.left(), [] {}), aio::RuntimeError)
        << "ch03.add_watcher: a closed loop refuses add_reader";
}

TEST(Watchers, RemovingTheLastInterestUnregistersTheFd) {
    EventLoop loop;
    looplab::SocketPair pair;
    int fd = pair.left();
    loop.add_reader(fd, [] {});
    loop.add_writer(fd, [] {});
    EXPECT_TRUE(loop.remove_writer(fd)) << "ch03.remove_watcher: true: there was a writer";
    EXPECT_EQ(registered(loop, fd), unsigned{aio::EVENT_READ})
        << "ch03.remove_watcher: removing the writer shrinks the registration to the reader";
    EXPECT_FALSE(loop.remove_writer(fd)) << "ch03.remove_watcher: false: no writer any more";
    EXPECT_TRUE(loop.remove_reader(fd)) << "ch03.remove_watcher: true: there was a reader";
    EXPECT_EQ(registered(loop, fd), 0u)
        << "ch03.remove_watcher: with no interest left the fd leaves the selector";
    EXPECT_TRUE(Access::watchers(loop).empty()) << "ch03.remove_watcher: and its watcher goes";
    EXPECT_FALSE(loop.remove_reader(fd)) << "ch03.remove_watcher: false for an unknown fd";
    EXPECT_FALSE(loop.remove_reader(-1)) << "ch03.remove_watcher: false, not an error, for -1";
    loop.add_writer(fd, [] {});
    EXPECT_EQ(registered(loop, fd), unsigned{aio::EVENT_WRITE})
        << "ch03.remove_watcher: the fd can be registered again afterwards";
    loop.close();
    EXPECT_FALSE(loop.remove_writer(fd)) << "remove_* on a closed loop return false";
}
