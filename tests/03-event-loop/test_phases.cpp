// Graded tests: the phases of one iteration, each on its own (through the
// test-only LoopTestAccess), before run_once puts them together.
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "event_loop.hpp"
#include "loop_test_access.hpp"
#include "loop_test_helpers.hpp"
#include "timing.hpp"

using namespace std::chrono_literals;
using aio::EventLoop;
using Access = aio::detail::LoopTestAccess;

TEST(Phases, RunCallbackReportsAnExceptionAndTimesSlowCallbacks) {
    aio::VirtualClock clock;
    EventLoop loop({.clock = &clock});
    looplab::RecordingHandler handler(loop);
    aio::Callback boom = [] { throw std::runtime_error("boom"); };
    ASSERT_NO_THROW(Access::run_callback(loop, boom))
        << "ch03.run_callback: a callback's exception must not escape";
    ASSERT_EQ(handler.contexts.size(), 1u)
        << "ch03.run_callback: the exception goes to call_exception_handler";
    EXPECT_EQ(handler.contexts[0].message, "Exception in callback")
        << "ch03.run_callback: asyncio's message";
    EXPECT_EQ(looplab::what_of(handler.contexts[0].exception), "boom")
        << "ch03.run_callback: the context carries the exception itself";

    aio::Callback slow = [&] { clock.advance(300ms); };
    Access::run_callback(loop, slow);
    EXPECT_EQ(handler.contexts.size(), 1u)
        << "ch03.run_callback: outside debug mode nothing is timed";
    loop.set_debug(true);
    Access::run_callback(loop, slow);
    aio::Callback quick = [&] { clock.advance(50ms); };
    Access::run_callback(loop, quick);
    ASSERT_EQ(handler.contexts.size(), 2u)
        << "ch03.run_callback: in debug mode, report a callback of 100 ms or more, only those";
    EXPECT_EQ(handler.contexts[1].message, "Executing <Handle> took 0.300 seconds")
        << "ch03.run_callback: asyncio's message, the duration in seconds with three decimals";
    EXPECT_FALSE(handler.contexts[1].exception)
        << "ch03.run_callback: a slow callback is a warning, not an error";
}

TEST(Phases, RunReadyRunsExactlyNtodoEntriesSkippingCancelled) {
    EventLoop loop;
    std::vector<std::string> ran;
    loop.call_soon([&] {
        ran.push_back("a");
        loop.call_soon([&] { ran.push_back("added by a"); });
    });
    aio::Handle cancelled = loop.call_soon([&] { ran.push_back("cancelled"); });
    loop.call_soon([&] { ran.push_back("c"); });
    cancelled.cancel();
    EXPECT_EQ(Access::run_ready(loop, 3), 2u)
        << "ch03.run_ready: returns how many ran; a cancelled entry is popped, not run";
    EXPECT_EQ(ran, (std::vector<std::string>{"a", "c"}))
        << "ch03.run_ready: run exactly ntodo entries, FIFO; what they add waits";
    EXPECT_EQ(Access::ready_size(loop), 1u) << "ch03.run_ready: the added callback is still queued";
    EXPECT_EQ(Access::run_ready(loop, 1), 1u)
        << "ch03.run_ready: the next call runs the entry added by a";
    EXPECT_EQ(ran.back(), "added by a")
        << "ch03.run_ready: what a callback added runs in the next call";
}

TEST(Phases, ComputeTimeoutIsZeroTheNextLiveDeadlineOrBlock) {
    aio::VirtualClock clock;
    EventLoop loop({.clock = &clock});
    EXPECT_EQ(Access::compute_timeout(loop), std::nullopt)
        << "ch03.compute_timeout: nothing ready and no timer: block (nullopt)";
    aio::TimerHandle early = loop.call_later(2s, [] {});
    loop.call_later(5s, [] {});
    early.cancel();
    EXPECT_EQ(Access::compute_timeout(loop), aio::Duration(5s))
        << "ch03.compute_timeout: wait until the earliest LIVE deadline (a cancelled one "
           "does not count)";
    loop.call_later(48h, [] {});
    clock.advance(6s);
    EXPECT_EQ(Access::compute_timeout(loop), aio::Duration::zero())
        << "ch03.compute_timeout: a deadline in the past is a zero timeout, never negative";
    EventLoop far({.clock = &clock});
    far.call_later(48h, [] {});
    EXPECT_EQ(Access::compute_timeout(far), aio::Duration(24h))
        << "ch03.compute_timeout: at most 24 h (maximum_select_timeout)";
    far.call_soon([] {});
    EXPECT_EQ(Access::compute_timeout(far), aio::Duration::zero())
        << "ch03.compute_timeout: callbacks ready: zero, just look at the fds";
}

TEST(Phases, QueueDueTimersMovesDueTimersInDeadlineOrder) {
    aio::VirtualClock clock;
    EventLoop loop({.clock = &clock});
    std::vector<std::string> ran;
    loop.call_later(2s, [&] { ran.push_back("2 s"); });
    loop.call_later(1s, [&] { ran.push_back("1 s"); });
    loop.call_later(3s, [&] { ran.push_back("3 s"); });
    loop.call_soon([&] { ran.push_back("call_soon"); });
    clock.advance(2s);
    EXPECT_EQ(Access::queue_due_timers(loop), 2u)
        << "ch03.queue_due_timers: returns how many timers were due (when <= now)";
    EXPECT_EQ(Access::ready_size(loop), 3u)
        << "ch03.queue_due_timers: due timers join the ready queue; the others wait";
    Access::run_ready(loop, 3);
    EXPECT_EQ(ran, (std::vector<std::string>{"call_soon", "1 s", "2 s"}))
        << "ch03.queue_due_timers: due timers go to the BACK of the ready queue, earliest first";
    EXPECT_EQ(Access::queue_due_timers(loop), 0u) << "ch03.queue_due_timers: a timer fires once";
}

TEST(Phases, PollIoJumpsVirtualTimeOnlyWhenThePassWouldWait) {
    aio::VirtualClock clock;
    EventLoop loop({.clock = &clock});
    const aio::TimePoint t0 = loop.time();
    loop.call_later(5s, [] {});
    loop.call_later(9s, [] {});
    EXPECT_TRUE(Access::poll_io(loop, aio::Duration::zero()).empty())
        << "ch03.poll_io: no fd is ready";
    EXPECT_EQ(loop.time(), t0) << "ch03.poll_io: a zero timeout never moves virtual time";
    EXPECT_TRUE(Access::poll_io(loop, aio::Duration(5s)).empty()) << "ch03.poll_io: no fd is ready";
    EXPECT_EQ(loop.time() - t0, aio::Duration(5s))
        << "ch03.poll_io: on a VirtualClock, a pass that would wait jumps exactly to the "
           "earliest deadline instead of sleeping";
    looplab::Stopwatch wall;
    EventLoop real;
    real.call_later(30ms, [] {});
    Access::poll_io(real, aio::Duration(30ms));
    EXPECT_GE(wall.millis(), 25.0) << "ch03.poll_io: on the real clock select() waits the timeout";
}

// On a VirtualClock with no timer at all, there is no deadline to jump to: the
// pass must block for real, until I/O (or a post) arrives.
TEST(Phases, PollIoWithNoDeadlineBlocksForIoEvenOnTheVirtualClock) {
    looplab::SocketPair pair; // declared first: it outlives the loop that watches it
    aio::VirtualClock clock;
    EventLoop loop({.clock = &clock});
    loop.add_reader(pair.left(), [] {});
    std::thread writer([&] {
        std::this_thread::sleep_for(50ms);
        pair.send_to_left("x");
    });
    std::vector<aio::ReadyEvent> events = Access::poll_io(loop, std::nullopt);
    writer.join();
    EXPECT_EQ(events.size(), 1u)
        << "ch03.poll_io: with no timer at all there is nothing to jump to: select() blocks "
           "(no timeout) until the fd is readable";
}

TEST(Phases, DispatchIoRunsOnlyTheCallbackRegisteredUnderThatId) {
    EventLoop loop;
    looplab::SocketPair pair;
    std::vector<std::string> ran;
    int fd = pair.left();
    loop.add_reader(fd, [&] { ran.push_back("old"); });
    std::uint32_t old_id = Access::watchers(loop).at(fd).reader_id;
    Access::dispatch_io(loop, fd, old_id);
    EXPECT_EQ(ran, (std::vector<std::string>{"old"})) << "ch03.dispatch_io: the id matches: run it";
    loop.add_reader(fd, [&] { ran.push_back("new"); });
    std::uint32_t new_id = Access::watchers(loop).at(fd).reader_id;
    Access::dispatch_io(loop, fd, old_id);
    EXPECT_EQ(ran.size(), 1u) << "ch03.dispatch_io: an event for a replaced reader runs nothing";
    Access::dispatch_io(loop, fd, new_id);
    EXPECT_EQ(ran.back(), "new") << "ch03.dispatch_io: the current id runs the new reader";
    loop.add_writer(fd, [&] { ran.push_back("writer"); });
    Access::dispatch_io(loop, fd, Access::watchers(loop).at(fd).writer_id);
    EXPECT_EQ(ran.back(), "writer") << "ch03.dispatch_io: a writer's id runs the writer";
    loop.remove_reader(fd);
    loop.remove_writer(fd);
    Access::dispatch_io(loop, fd, new_id);
    EXPECT_EQ(ran.size(), 3u) << "ch03.dispatch_io: an fd with no watcher any more runs nothing";
}

namespace {
// Set when the captures of the reader below die; read by that reader after it
// removed itself, when only globals may be touched.
std::weak_ptr<int> reader_captures;
bool captures_alive_after_removal = false;
} // namespace

TEST(Phases, DispatchIoKeepsAReaderThatRemovesItselfAliveUntilItReturns) {
    EventLoop loop;
    looplab::SocketPair pair;
    int fd = pair.left();
    auto captures = std::make_shared<int>(0);
    reader_captures = captures;
    loop.add_reader(fd, [&loop, fd, captures] {
        loop.remove_reader(fd); // drops the watcher's reference to this very callback
        captures_alive_after_removal = !reader_captures.expired();
    });
    captures.reset(); // the reader holds the only reference now
    Access::dispatch_io(loop, fd, Access::watchers(loop).at(fd).reader_id);
    EXPECT_TRUE(captures_alive_after_removal)
        << "ch03.dispatch_io: a reader that removes itself must live (with its captures) until "
           "it returns: run it through your own copy of its shared_ptr";
    EXPECT_TRUE(reader_captures.expired())
        << "ch03.dispatch_io: once it returned, the removed reader is gone";
}

TEST(Phases, QueueIoCallbacksQueuesOneEntryPerReadyInterest) {
    EventLoop loop;
    looplab::SocketPair pair;
    int reads = 0, writes = 0;
    loop.add_reader(pair.left(), [&] {
        ++reads;
        pair.read_left();
    });
    loop.add_writer(pair.left(), [&] { ++writes; });
    pair.send_to_left("x");
    std::vector<aio::ReadyEvent> events = Access::poll_io(loop, aio::Duration::zero());
    ASSERT_EQ(events.size(), 1u) << "one fd, one registration, one event";
    EXPECT_EQ(Access::queue_io_callbacks(loop, events), 0u)
        << "ch03.queue_io_callbacks: returns the number of posts taken (none here)";
    EXPECT_EQ(Access::ready_size(loop), 2u)
        << "ch03.queue_io_callbacks: a readable and writable fd queues its reader AND its writer";
    EXPECT_EQ(reads + writes, 0) << "ch03.queue_io_callbacks: queue them, do not run them";
    Access::run_ready(loop, 2);
    EXPECT_EQ(reads, 1) << "ch03.queue_io_callbacks: the queued entry reaches the reader";
    EXPECT_EQ(writes, 1) << "ch03.queue_io_callbacks: the queued entry reaches the writer";
    loop.remove_reader(pair.left());
    loop.remove_writer(pair.left());
}

TEST(Phases, RunIterationRunsWhatWasQueuedIncludingDueTimersAndIo) {
    aio::VirtualClock clock;
    EventLoop loop({.clock = &clock});
    looplab::SocketPair pair;
    std::vector<std::string> ran;
    loop.call_soon([&] {
        ran.push_back("a");
        loop.call_soon([&] { ran.push_back("added by a"); });
    });
    loop.call_later(0s, [&] { ran.push_back("timer"); });
    loop.add_reader(pair.left(), [&] {
        ran.push_back("reader");
        pair.read_left();
    });
    pair.send_to_left("x");
    std::vector<aio::IterationTrace> traces;
    loop.set_tracer([&](const aio::IterationTrace& trace) { traces.push_back(trace); });
    Access::run_iteration(loop);
    EXPECT_EQ(ran, (std::vector<std::string>{"a", "reader", "timer"}))
        << "ch03.run_iteration: one pass runs the ready callbacks, then the I/O callbacks and "
           "due timers queued behind them; what a callback adds waits for the next pass";
    ASSERT_EQ(traces.size(), 1u) << "ch03.run_iteration: the tracer is called once per pass";
    EXPECT_EQ(traces[0].ready, 1u) << "ch03.run_iteration: trace.ready is noted before any phase";
    EXPECT_EQ(traces[0].timeout, aio::Duration::zero()) << "ch03.run_iteration: trace.timeout";
    EXPECT_EQ(traces[0].events.size(), 1u) << "ch03.run_iteration: trace.events";
    EXPECT_EQ(traces[0].timers_due, 1u) << "ch03.run_iteration: trace.timers_due";
    EXPECT_EQ(traces[0].ran, 3u) << "ch03.run_iteration: trace.ran";
    loop.call_later(1h, [&] { ran.push_back("an hour later"); });
    Access::run_iteration(loop);
    EXPECT_EQ(ran.back(), "added by a") << "ch03.run_iteration: pass 2 runs what pass 1 added";
    Access::run_iteration(loop);
    EXPECT_EQ(ran.back(), "an hour later")
        << "ch03.run_iteration: pass 3 has nothing ready: it waits (jumps) for the timer";
    EXPECT_EQ(traces[2].timeout, aio::Duration(1h))
        << "ch03.run_iteration: trace.timeout of pass 3 is the hour until the timer";
    loop.remove_reader(pair.left());
}
