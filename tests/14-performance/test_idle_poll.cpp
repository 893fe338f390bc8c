// Graded tests of the fast loop's poll shortcut: a pass that may not wait and
// watches nothing but the wake-up fd makes no epoll_wait, while every pass that
// could learn something (a watched fd, a post from another thread, a pass that
// may sleep) still asks. Calls are counted by defining epoll_wait in this test
// binary: the selector's call binds to it, and it forwards to the kernel.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <functional>
#include <thread>

#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "event_loop.hpp"

namespace {
std::atomic<long> epoll_waits{0};
}

// The count, then the real call (epoll_pwait with no signal mask is epoll_wait,
// and exists on every Linux architecture).
extern "C" int epoll_wait(int epfd, epoll_event* events, int max_events, int timeout) {
    epoll_waits.fetch_add(1, std::memory_order_relaxed);
    return static_cast<int>(
        ::syscall(SYS_epoll_pwait, epfd, events, max_events, timeout, nullptr, _NSIG / 8));
}

namespace {
using namespace std::chrono_literals;

long waits_now() {
    return epoll_waits.load(std::memory_order_relaxed);
}

// A callback that re-schedules itself `left` times: every pass has work.
struct Chain {
    aio::EventLoop* loop;
    int* left;
    void operator()() const {
        if (--*left > 0) loop->call_soon(*this);
    }
};

void expect_counter_counts() {
    aio::EventLoop loop;
    long before = waits_now();
    loop.call_later(1ms, [&loop] { loop.stop(); });
    loop.run_forever();
    ASSERT_GT(waits_now(), before) << "the epoll_wait counter of this test binary counts nothing: "
                                      "is the loop's selector epoll?";
}
} // namespace

TEST(IdlePoll, BusyPassesWithNothingWatchedMakeNoSyscall) {
    expect_counter_counts();
    aio::EventLoop loop;
    int left = 1000;
    loop.call_soon(Chain{&loop, &left});
    long before = waits_now();
    int passes = 0;
    while (left > 0) {
        loop.run_once();
        ++passes;
    }
    long waits = waits_now() - before;
    std::printf("  %d busy passes, no fd watched: %ld epoll_wait calls (the reference loop makes "
                "one per pass)\n",
                passes, waits);
    EXPECT_EQ(waits, 0) << "ch14.skip_idle_poll: a pass with callbacks ready and no fd watched "
                           "but the wake-up fd cannot learn anything from epoll_wait: it skips "
                           "the call";
}

TEST(IdlePoll, AWatchedFdIsStillPolledOnEveryPass) {
    aio::EventLoop loop;
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0) << "the test's pipe could not be made";
    int reads = 0;
    loop.add_reader(fds[0], [&] {
        char byte;
        if (::read(fds[0], &byte, 1) == 1) ++reads;
    });
    int left = 200;
    loop.call_soon(Chain{&loop, &left});
    long before = waits_now();
    int passes = 0;
    while (left > 0) {
        if (passes == 50) {
            ASSERT_EQ(::write(fds[1], "x", 1), 1) << "the test could not write to its pipe";
        }
        loop.run_once();
        ++passes;
    }
    long waits = waits_now() - before;
    EXPECT_EQ(reads, 1) << "ch14.skip_idle_poll: a byte written to a watched pipe while callbacks "
                           "keep every pass busy is still read: a pass with a watched fd polls";
    EXPECT_GE(waits, passes) << "ch14.skip_idle_poll: with a reader registered, every pass asks "
                                "epoll_wait ("
                             << waits << " calls in " << passes << " passes)";
    loop.remove_reader(fds[0]);
    ::close(fds[0]);
    ::close(fds[1]);
}

TEST(IdlePoll, APostFromAnotherThreadEndsABusyLoop) {
    aio::EventLoop loop;
    std::atomic<bool> posted_ran{false};
    // Busy through timers only: call_later(0) is due on the next pass, and,
    // unlike call_soon, never looks at the posts itself.
    constexpr long cap = 2'000'000;
    long rounds = 0;
    std::function<void()> tick = [&] {
        if (posted_ran.load() || ++rounds >= cap) return loop.stop();
        loop.call_later(0s, tick);
    };
    loop.call_later(0s, tick);
    std::thread poster([&] {
        std::this_thread::sleep_for(20ms);
        loop.call_soon_threadsafe([&] { posted_ran = true; });
    });
    loop.run_forever();
    poster.join();
    std::printf("  the post ran after %ld busy timer passes\n", rounds);
    EXPECT_TRUE(posted_ran.load())
        << "ch14.skip_idle_poll: a callback posted from another thread runs while the loop is "
           "busy: a pending post means the wake-up fd has something to say, so the pass polls";
    EXPECT_LT(rounds, cap) << "ch14.skip_idle_poll: the loop saw the post only after " << cap
                           << " passes";
}

TEST(IdlePoll, ALoopWithNothingReadyStillSleepsInTheSelector) {
    aio::EventLoop loop;
    loop.call_later(30ms, [&loop] { loop.stop(); });
    long before = waits_now();
    loop.run_forever();
    long waits = waits_now() - before;
    EXPECT_GE(waits, 1) << "ch14.skip_idle_poll: a pass with nothing ready waits for the next "
                           "timer inside epoll_wait; skipping that poll would spin the CPU";
    EXPECT_LE(waits, 5) << "ch14.skip_idle_poll: a 30 ms timer is waited for in a few calls, "
                           "not by spinning ("
                        << waits << " calls)";
}
