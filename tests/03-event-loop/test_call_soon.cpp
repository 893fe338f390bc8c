// Graded tests: the ready queue, one pass at a time (call_soon, Handle, stop, run_forever).
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "event_loop.hpp"
#include "loop_test_helpers.hpp"

using namespace std::chrono_literals;
using aio::EventLoop;

TEST(CallSoon, RunsCallbacksInFifoOrder) {
    EventLoop loop;
    std::vector<int> order;
    for (int i = 0; i < 100; ++i)
        loop.call_soon([&order, i] { order.push_back(i); });
    loop.run_once();
    ASSERT_EQ(order.size(), 100u) << "one pass runs every callback that was ready when it began";
    for (int i = 0; i < 100; ++i)
        EXPECT_EQ(order[i], i) << "call_soon callbacks must run FIFO";
}

TEST(CallSoon, ACallbackScheduledByACallbackRunsInTheNextPass) {
    EventLoop loop;
    std::vector<std::string> ran;
    loop.call_soon([&] {
        ran.push_back("first");
        loop.call_soon([&] { ran.push_back("scheduled by first"); });
    });
    loop.call_soon([&] { ran.push_back("second"); });
    loop.run_once();
    EXPECT_EQ(ran, (std::vector<std::string>{"first", "second"}))
        << "run only the callbacks that were ready when the pass began (ntodo), not the new ones";
    loop.run_once();
    EXPECT_EQ(ran.size(), 3u) << "the callback added during pass 1 runs in pass 2";
}

TEST(CallSoon, ASelfReschedulingCallbackDoesNotStarveTimersOrIo) {
    EventLoop loop;
    looplab::SocketPair pair;
    int spins = 0;
    bool timer_fired = false, reader_ran = false;
    std::function<void()> spin = [&] {
        ++spins;
        loop.call_soon(spin);
    };
    loop.call_soon(spin);
    loop.call_later(0s, [&] { timer_fired = true; });
    loop.add_reader(pair.left(), [&] { reader_ran = true; });
    pair.send_to_left("x");
    for (int pass = 0; pass < 5 && !(timer_fired && reader_ran); ++pass)
        loop.run_once();
    EXPECT_TRUE(timer_fired) << "a due timer must run within a pass or two despite the spinner";
    EXPECT_TRUE(reader_ran) << "a ready fd must be served within a pass or two despite the spinner";
    EXPECT_LE(spins, 5) << "the spinner runs once per pass, no more";
    loop.remove_reader(pair.left());
}

TEST(Handle, CancelPreventsTheCallbackAndDropsItsCaptures) {
    EventLoop loop;
    auto captured = std::make_shared<int>(7);
    bool ran = false;
    aio::Handle handle = loop.call_soon([&ran, captured] { ran = true; });
    EXPECT_FALSE(handle.cancelled())
        << "ch03.handle_cancel: a handle whose callback is queued is not cancelled";
    EXPECT_EQ(captured.use_count(), 2) << "the queued callback holds its captures";
    handle.cancel();
    EXPECT_TRUE(handle.cancelled())
        << "ch03.handle_cancel: cancelled() is true right after cancel()";
    EXPECT_EQ(captured.use_count(), 1) << "cancel() drops the callback, and its captures, at once";
    loop.call_soon([] {});
    loop.run_once();
    EXPECT_FALSE(ran) << "a cancelled callback must not run";
    EXPECT_TRUE(handle.cancelled()) << "cancelled() stays true after the pass";
}

TEST(Handle, ACancelByAnEarlierCallbackOfTheSamePassHolds) {
    EventLoop loop;
    aio::Handle victim;
    bool victim_ran = false, last_ran = false;
    loop.call_soon([&] { victim.cancel(); });
    victim = loop.call_soon([&] { victim_ran = true; });
    loop.call_soon([&] { last_ran = true; });
    loop.run_once();
    EXPECT_FALSE(victim_ran) << "check for cancellation when an entry is popped, not when queued";
    EXPECT_TRUE(last_ran) << "skipping a cancelled entry must not skip the next one";

    aio::Handle done = loop.call_soon([] {});
    loop.run_once();
    done.cancel(); // after it ran: harmless
    EXPECT_TRUE(done.cancelled()) << "ch03.handle_cancel: cancel() after the callback ran is "
                                     "harmless and cancelled() says true";
}

TEST(Stop, LetsTheCurrentPassFinish) {
    EventLoop loop;
    std::vector<std::string> ran;
    loop.call_soon([&] {
        ran.push_back("a: stop");
        loop.stop();
        loop.call_soon([&] { ran.push_back("c: next pass"); });
    });
    loop.call_soon([&] { ran.push_back("b: same pass"); });
    loop.run_forever(); // returns after one pass
    EXPECT_EQ(ran, (std::vector<std::string>{"a: stop", "b: same pass"}))
        << "stop() lets the current pass finish, then run_forever returns";
    EXPECT_FALSE(loop.is_running())
        << "ch03.running_scope: the loop stops counting as running when run_forever returns";
    loop.call_soon([&] { loop.stop(); });
    loop.run_forever();
    EXPECT_EQ(ran.size(), 3u) << "run_forever can run again; what was queued is still there";
}

TEST(Stop, RunForeverRunsPassesUntilStopped) {
    EventLoop loop;
    int passes = 0;
    std::function<void()> count = [&] {
        if (++passes == 50)
            loop.stop();
        else
            loop.call_soon(count);
    };
    loop.call_soon(count);
    loop.stop(); // stop() before run_forever: one pass, then return (as asyncio)
    loop.run_forever();
    EXPECT_EQ(passes, 1) << "a stop() issued before run_forever ends it after one pass";
    loop.run_forever();
    EXPECT_EQ(passes, 50) << "run_forever must clear the stop request when it returns";
}

TEST(Running, GetRunningLoopInsideAndOutside) {
    EXPECT_THROW(aio::get_running_loop(), aio::RuntimeError)
        << "ch03.get_running_loop: outside any run, no loop is running";
    try {
        aio::get_running_loop();
    } catch (const aio::RuntimeError& e) {
        EXPECT_STREQ(e.what(), "no running event loop")
            << "ch03.get_running_loop: asyncio's message";
    }
    EventLoop loop;
    EventLoop* seen = nullptr;
    bool running_inside = false;
    loop.call_soon([&] {
        seen = &aio::get_running_loop();
        running_inside = loop.is_running();
    });
    loop.run_once();
    EXPECT_EQ(seen, &loop) << "inside a callback, get_running_loop() is the loop running it";
    EXPECT_TRUE(running_inside) << "run_once counts as running";
    EXPECT_FALSE(loop.is_running())
        << "ch03.running_scope: after run_once the loop is not running any more";
    EXPECT_THROW(aio::get_running_loop(), aio::RuntimeError) << "cleared when the run ends";
}

TEST(Running, NestedOrReentrantRunIsARuntimeError) {
    EventLoop loop, other;
    std::string reentrant_once, nested_other;
    loop.call_soon([&] {
        try {
            loop.run_once();
        } catch (const aio::RuntimeError& e) {
            reentrant_once = e.what();
        }
        try {
            other.run_once();
        } catch (const aio::RuntimeError& e) {
            nested_other = e.what();
        }
    });
    loop.run_once();
    EXPECT_EQ(reentrant_once, "This event loop is already running")
        << "ch03.running_scope: running a loop inside its own callback is refused";
    EXPECT_EQ(nested_other, "Cannot run the event loop while another loop is running")
        << "ch03.running_scope: running a second loop in a thread that runs one is refused";
    EXPECT_FALSE(other.is_running()) << "a refused run must leave no trace";
    bool ran = false;
    other.call_soon([&] { ran = true; });
    other.run_once();
    EXPECT_TRUE(ran) << "ch03.running_scope: the refused loop still runs normally afterwards";
}

TEST(Stop, AStopBeforeRunOnceKeepsThePassFromBlocking) {
    EventLoop loop; // nothing ready, no timer: without the stop request the pass would block
    looplab::Watchdog watchdog(loop, 5s);
    loop.stop();
    loop.run_once();
    EXPECT_EQ(watchdog.rescues(), 0)
        << "ch03.stop / ch03.compute_timeout: a stop request makes compute_timeout answer zero, "
           "so the pass only looks";
}
