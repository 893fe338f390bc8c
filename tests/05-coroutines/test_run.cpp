// Graded tests: run(), asyncio.run: a new loop, main as its first task, then
// every leftover task cancelled and awaited, its errors reported once, the
// loop closed.
#include <gtest/gtest.h>

#include <string>

#include "lifetime.hpp"
#include "task.hpp"
#include "task_test_helpers.hpp"

using aio::Coro;
using aio::Task;
using looplab::Counted;
using looplab::Events;
using looplab::LifetimeCounts;
using namespace std::chrono_literals;

namespace {

Coro<int> answer(aio::EventLoop** loop_seen) {
    *loop_seen = &aio::get_running_loop();
    co_await aio::sleep(1ms);
    co_return aio::current_task() != nullptr ? 42 : -1;
}

Coro<void> fails() {
    co_await aio::sleep(0s);
    throw aio::ValueError("main failed");
}

Coro<bool> in_debug_mode() {
    co_await aio::sleep(0s);
    co_return aio::get_running_loop().get_debug();
}

} // namespace

TEST(Run, RunsMainAsATaskOnANewLoopAndReturnsItsResult) {
    aio::EventLoop* first = nullptr;
    aio::EventLoop* second = nullptr;
    EXPECT_EQ(aio::run(answer(&first)), 42)
        << "ch05.run: main runs as a task: current_task() is set";
    EXPECT_NE(first, nullptr) << "ch05.run: main ran on a loop";
    EXPECT_EQ(aio::detail::running_loop(), nullptr) << "ch05.run: no loop runs once run() returned";
    EXPECT_EQ(aio::run(answer(&second)), 42)
        << "ch05.run: run() can be called again: a new loop each time";
    EXPECT_THROW(aio::run(fails()), aio::ValueError)
        << "ch05.run: main's exception comes out of run()";
    EXPECT_TRUE(aio::run(in_debug_mode(), /*debug=*/true))
        << "ch05.run: run(main, true) runs main on a loop in debug mode";
    EXPECT_FALSE(aio::run(in_debug_mode())) << "ch05.run: by default the loop is not in debug mode";
}

namespace {

Coro<void> leftover(Events* events, Counted counted, std::string name) {
    (void)counted;
    std::string message;
    try {
        co_await aio::sleep(1h);
        co_return;
    } catch (const aio::CancelledError& cancelled) {
        message = cancelled.message(); // C++ forbids co_await inside a catch block
    }
    events->push_back(name + " cancelled");
    co_await aio::sleep(1ms); // clean-up may await: run() waits for it
    events->push_back(name + " cleaned up");
    throw aio::CancelledError(message);
}

Coro<int> main_leaves_tasks(Events* events, LifetimeCounts* counts) {
    aio::create_task(leftover(events, Counted(*counts), "first"));
    aio::create_task(leftover(events, Counted(*counts), "second"));
    co_await aio::sleep(0s); // both started
    events->push_back("main returns");
    co_return 1;
}

} // namespace

TEST(Run, CancelsLeftoverTasksAndWaitsForThem) {
    Events events;
    LifetimeCounts counts;
    EXPECT_EQ(aio::run(main_leaves_tasks(&events, &counts)), 1)
        << "ch05.run: run() returns main's result";
    EXPECT_EQ(events, (Events{"main returns", "first cancelled", "second cancelled",
                              "first cleaned up", "second cleaned up"}))
        << "ch05.run: after main, run() cancels every pending task and runs the loop until they "
           "are done";
    EXPECT_EQ(counts.alive(), 0) << "ch05.run: no frame left behind: " << counts.summary();
}

namespace {

Coro<int> main_leaves_a_task_and_fails(Events* events, LifetimeCounts* counts) {
    aio::create_task(leftover(events, Counted(*counts), "left"));
    co_await aio::sleep(0s); // started
    events->push_back("main fails");
    throw aio::ValueError("main failed");
}

} // namespace

// asyncio.run's clean-up is in a finally: it runs however main ends.
TEST(Run, CancelsLeftoverTasksWhenMainFailsToo) {
    Events events;
    LifetimeCounts counts;
    EXPECT_THROW(aio::run(main_leaves_a_task_and_fails(&events, &counts)), aio::ValueError)
        << "ch05.run: main's exception comes out of run()";
    EXPECT_EQ(events, (Events{"main fails", "left cancelled", "left cleaned up"}))
        << "ch05.run: when main throws, run() still cancels every pending task and runs the loop "
           "until they are done, before the exception leaves";
    EXPECT_EQ(counts.alive(), 0) << "ch05.run: no frame left behind: " << counts.summary();
}

namespace {

Coro<void> fails_on_cancel(std::string name) {
    try {
        co_await aio::sleep(1h);
    } catch (const aio::CancelledError&) {
        throw aio::ValueError(name + " failed while cancelled");
    }
}

Coro<void> refuses_cancel(bool* finished) {
    try {
        co_await aio::sleep(1h);
    } catch (const aio::CancelledError&) {
    }
    co_await aio::sleep(1ms);
    *finished = true;
}

Coro<void> main_with_failing_leftovers(std::vector<std::string>* reports, bool* finished) {
    aio::get_running_loop().set_exception_handler(
        [reports](aio::EventLoop&, const aio::ExceptionContext& context) {
            std::string what = "no exception";
            try {
                if (context.exception) std::rethrow_exception(context.exception);
            } catch (const std::exception& error) {
                what = error.what();
            }
            reports->push_back(what);
        });
    aio::create_task(fails_on_cancel("A"));
    aio::create_task(refuses_cancel(finished));
    aio::create_task(fails_on_cancel("B"));
    co_await aio::sleep(0s);
}

} // namespace

TEST(Run, ReportsEachErrorOfALeftoverTaskOnce) {
    std::vector<std::string> reports;
    bool finished = false;
    aio::run(main_with_failing_leftovers(&reports, &finished));
    EXPECT_EQ(reports,
              (std::vector<std::string>{"A failed while cancelled", "B failed while cancelled"}))
        << "ch05.run: each leftover that ends with an error is reported through the exception "
           "handler, "
           "once: retrieve it (exception()) so that no \"never retrieved\" report follows";
    EXPECT_TRUE(finished)
        << "ch05.run: a leftover that refuses the cancellation is still waited for";
}

namespace {

Coro<std::string> nested_run() {
    try {
        aio::run(aio::sleep(0s));
    } catch (const aio::RuntimeError& error) {
        co_return error.what();
    }
    co_return "nested run() accepted";
}

} // namespace

TEST(Run, CannotBeCalledFromARunningLoop) {
    EXPECT_EQ(aio::run(nested_run()), "run() cannot be called from a running event loop")
        << "ch05.run: asyncio.run refuses to nest";
}

namespace {

Coro<void> waits_on(aio::Future<void> never) {
    co_await never;
}

Coro<void> fails_when_cancelled(aio::Future<void> never) {
    bool cancelled = false;
    try {
        co_await never;
    } catch (const aio::CancelledError&) {
        cancelled = true;
    }
    if (cancelled) throw aio::ValueError("failed while cancelled");
}

} // namespace

TEST(Run, CancelAllTasksCancelsWaitsAndReportsEachErrorOnce) {
    looplab::VirtualLoop v;
    looplab::RecordedReports reports(v.loop);
    aio::Future<void> never(v.loop);
    Task<void> quiet = aio::create_task(v.loop, waits_on(never));
    Task<void> loud = aio::create_task(v.loop, fails_when_cancelled(never));
    v.loop.run_once(); // both wait on never
    aio::detail::cancel_all_tasks(v.loop);
    EXPECT_TRUE(quiet.cancelled()) << "ch05.cancel_all: every pending task is cancelled";
    EXPECT_TRUE(loud.done()) << "ch05.cancel_all: the loop runs until every leftover is done";
    EXPECT_EQ(reports.messages.size(), 1u)
        << "ch05.cancel_all: the leftover that ended with an error is reported once";
    ASSERT_EQ(reports.errors.size(), 1u) << "ch05.cancel_all: with the error itself";
    EXPECT_THROW(std::rethrow_exception(reports.errors[0]), aio::ValueError)
        << "ch05.cancel_all: the report carries the leftover's exception";
    aio::detail::cancel_all_tasks(v.loop);
    EXPECT_EQ(reports.messages.size(), 1u)
        << "ch05.cancel_all: with nothing pending, nothing to do";
}
