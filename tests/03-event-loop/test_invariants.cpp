// Given (0 points): the bookkeeping invariants are asserted in debug builds.
// Each case breaks one on purpose through a test-only hook and shows that the
// assert fires, as xv6's sched() and libuv's uv__io_start do.
#include <gtest/gtest.h>

#include "event_loop.hpp"
#include "loop_test_access.hpp"
#include "loop_test_helpers.hpp"

TEST(Invariants, BrokenBookkeepingFiresItsAssert) {
#ifdef NDEBUG
    GTEST_SKIP() << "built with NDEBUG: no asserts to fire";
#endif
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            aio::detail::ReadyQueue queue;
            aio::detail::ReadyQueueTestAccess::claim_more_entries_than_slots(queue);
            queue.cancelled(0); // every given operation checks the invariants first
        },
        "more entries than slots")
        << "the ready queue asserts size <= capacity";
    EXPECT_DEATH(
        {
            aio::EventLoop loop;
            looplab::SocketPair pair;
            // A watcher with a reader id but no callback, and no selector registration.
            aio::detail::LoopTestAccess::watchers(loop)[pair.left()].reader_id = 7;
            loop.close(); // close() checks each watcher before it unregisters it
        },
        "watchers: ")
        << "the loop asserts the watchers' bookkeeping";
}
