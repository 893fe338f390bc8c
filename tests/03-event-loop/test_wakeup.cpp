// Graded tests: the wake-up fd on its own (detail::Wakeup), then what
// call_soon_threadsafe leaves behind before any pass runs.
#include <memory>
#include <thread>

#include <gtest/gtest.h>

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
