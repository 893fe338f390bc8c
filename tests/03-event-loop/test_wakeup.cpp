// Graded tests: the wake-up fd on its own (detail::Wakeup), then what
// call_soon_threadsafe leaves behind before any pass runs.
#include <cstdint>
#include <memory>
#include <thread>

#include <gtest/gtest.h>
#include <unistd.h>

#include "event_loop.hpp"
#include "loop_test_access.hpp"
#include "wakeup.hpp"

using looplab::readable_now;

TEST(Wakeup, NotifyMakesTheFdReadableAndNeverBlocks) {
    aio::detail::Wakeup wakeup;
    EXPECT_FALSE(readable_now(wakeup.fd())) << "a fresh wake-up fd is not readable";
    wakeup.notify();
    EXPECT_TRUE(readable_now(wakeup.fd())) << "ch03.wakeup_notify: notify() makes fd() readable";
    for (int i = 0; i < 100'000; ++i) // far more than a pipe holds: a full one must not block
        wakeup.notify();
    EXPECT_TRUE(readable_now(wakeup.fd()))
        << "ch03.wakeup_notify: many notifies never block and keep the fd readable";
}

TEST(Wakeup, DrainEmptiesTheFd) {
    aio::detail::Wakeup wakeup;
    for (int i = 0; i < 3; ++i)
        wakeup.notify();
    wakeup.drain();
    EXPECT_FALSE(readable_now(wakeup.fd()))
        << "ch03.wakeup_drain: after drain() the fd is no longer readable";
    EXPECT_NO_THROW(wakeup.drain()) << "ch03.wakeup_drain: draining an empty fd returns at once";
    for (int i = 0; i < 100'000; ++i)
        wakeup.notify();
    wakeup.drain();
    EXPECT_FALSE(readable_now(wakeup.fd()))
        << "ch03.wakeup_drain: a full pipe takes more than one read: read until empty";
}

TEST(CallSoonThreadsafe, APostHoldsItsCallbackAndWakesTheLoopsFd) {
    aio::EventLoop loop;
    auto captured = std::make_shared<int>(0);
    aio::Handle handle;
    std::thread poster([&] { handle = loop.call_soon_threadsafe([captured] {}); });
    poster.join();
    EXPECT_TRUE(readable_now(aio::detail::LoopTestAccess::wakeup_fd(loop)))
        << "ch03.call_soon_threadsafe: a post writes the wake-up, so a blocked select returns";
    EXPECT_EQ(captured.use_count(), 2) << "ch03.call_soon_threadsafe: the posted callback is held";
    EXPECT_FALSE(handle.cancelled())
        << "ch03.call_soon_threadsafe: a fresh post's handle is not cancelled";
    handle.cancel();
    EXPECT_TRUE(handle.cancelled())
        << "ch03.call_soon_threadsafe: its Handle cancels through the shared flag";
    EXPECT_THROW(loop.call_soon_threadsafe(aio::Callback{}), aio::ValueError)
        << "ch03.call_soon_threadsafe: an empty callback is a ValueError";
    loop.close();
    EXPECT_EQ(captured.use_count(), 1) << "close() drops the posted callbacks";
    try {
        loop.call_soon_threadsafe([] {});
        ADD_FAILURE() << "ch03.call_soon_threadsafe: a closed loop must refuse a post";
    } catch (const aio::RuntimeError& e) {
        EXPECT_STREQ(e.what(), "Event loop is closed") << "ch03.call_soon_threadsafe";
    }
}

// asyncio writes the self-pipe on every post; the kit writes it once per batch
// (wake_pending_), since one readable fd wakes the loop as well as N.
TEST(CallSoonThreadsafe, PostsBetweenTwoPassesWriteTheWakeupOnce) {
    aio::EventLoop loop;
    std::thread poster([&] {
        for (int i = 0; i < 3; ++i)
            loop.call_soon_threadsafe([] {});
    });
    poster.join();
    // An eventfd adds up the values written into one counter; a pipe keeps each
    // 8-byte write: either way, the sum of what the fd holds is the number of writes.
    int fd = aio::detail::LoopTestAccess::wakeup_fd(loop);
    std::uint64_t writes = 0, value = 0;
    while (::read(fd, &value, sizeof value) == static_cast<ssize_t>(sizeof value))
        writes += value;
    EXPECT_EQ(writes, 1u) << "ch03.call_soon_threadsafe: three posts between two passes write "
                             "the wake-up fd once, not three times (wake_pending_)";
}
