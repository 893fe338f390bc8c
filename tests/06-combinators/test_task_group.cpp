// TaskGroup and ExceptionGroup: structured concurrency (asyncio.TaskGroup).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "combinator_test_helpers.hpp"

using namespace looplab;
using aio::Future;
using aio::Task;
using aio::TaskGroup;

namespace {
// The what() of each exception of a group, in order.
std::vector<std::string> messages_of(const aio::ExceptionGroup& group) {
    std::vector<std::string> messages;
    for (const std::exception_ptr& e : group.exceptions()) {
        try {
            std::rethrow_exception(e);
        } catch (const aio::ExceptionGroup& nested) {
            messages.push_back(std::string("group: ") + nested.what());
        } catch (const std::exception& error) {
            messages.push_back(error.what());
        }
    }
    return messages;
}

// Runs group_body in task_group inside a task; returns the group's error.
std::exception_ptr run_group(aio::EventLoop& loop,
                             std::function<aio::Coro<void>(TaskGroup&)> group_body) {
    auto body = [&]() -> aio::Coro<std::exception_ptr> {
        std::exception_ptr error;
        try {
            co_await aio::task_group(group_body);
        } catch (...) {
            error = std::current_exception();
        }
        co_return error;
    };
    return run_in_task(loop, body());
}

// A child that records its number when it ends. A free function, not a
// capturing lambda: a coroutine's parameters are copied into its frame, a
// lambda's captures are not (the closure would die before the child runs).
aio::Coro<void> record_after(aio::Duration delay, int number, std::vector<int>* log) {
    co_await aio::sleep(delay);
    log->push_back(number);
}

std::vector<std::string> messages_of(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const aio::ExceptionGroup& group) {
        return messages_of(group);
    } catch (...) {
    }
    return {"<not an ExceptionGroup: " + kind_of(error) + ">"};
}
} // namespace

TEST(ExceptionGroup, WhatCountsTheSubExceptions) {
    aio::ExceptionGroup one({std::make_exception_ptr(aio::ValueError("a"))});
    aio::ExceptionGroup two({std::make_exception_ptr(aio::ValueError("a")),
                             std::make_exception_ptr(aio::ValueError("b"))});
    EXPECT_STREQ(one.what(), "unhandled errors in a TaskGroup (1 sub-exception)")
        << "singular for one";
    EXPECT_STREQ(two.what(), "unhandled errors in a TaskGroup (2 sub-exceptions)")
        << "plural for two";
    EXPECT_EQ(two.exceptions().size(), 2u) << "exceptions() keeps each one";
}

TEST(TaskGroup, AnEmptyBodyFunctionIsAValueError) {
    VirtualLoop v;
    auto body = []() -> aio::Coro<std::string> {
        std::exception_ptr error;
        try {
            co_await aio::task_group(nullptr);
        } catch (...) {
            error = std::current_exception();
        }
        co_return kind_of(error);
    };
    EXPECT_EQ(run_in_task(v.loop, body()), "ValueError")
        << "task_group(nullptr): ValueError, not a crash";
}

TEST(TaskGroup, ABodyWithNoChildrenReturnsAtOnce) {
    VirtualLoop v;
    bool ran = false;
    std::exception_ptr error = run_group(v.loop, [&](TaskGroup&) -> aio::Coro<void> {
        ran = true;
        co_return;
    });
    EXPECT_TRUE(ran) << "ch06.group_exit: the body runs";
    EXPECT_EQ(kind_of(error), "none") << "ch06.group_exit: nothing failed, nothing is thrown";
    EXPECT_EQ(v.elapsed(), 0ms) << "ch06.group_exit: no child, no wait";
}

TEST(TaskGroup, WaitsForEveryChild) {
    VirtualLoop v;
    std::vector<int> finished;
    std::exception_ptr error = run_group(v.loop, [&](TaskGroup& group) -> aio::Coro<void> {
        for (int i = 1; i <= 3; ++i) {
            group.create_task(record_after(i * 10ms, i, &finished));
        }
        co_return; // the body ends at once: the group still waits
    });
    EXPECT_EQ(kind_of(error), "none") << "ch06.group_task_done: no failure, nothing thrown";
    EXPECT_EQ(finished, (std::vector<int>{1, 2, 3}))
        << "ch06.group_task_done: every child ran to its end";
    EXPECT_EQ(v.elapsed(), 30ms) << "ch06.group_task_done: the group ends with its last child";
}

TEST(TaskGroup, TheFirstFailureCancelsTheSiblingsAndTheBody) {
    VirtualLoop v;
    std::optional<Task<int>> sibling;
    bool body_went_on = false;
    std::exception_ptr error = run_group(v.loop, [&](TaskGroup& group) -> aio::Coro<void> {
        sibling.emplace(group.create_task(value_after(10s, 1)));
        group.create_task(fail_after(20ms, "first"));
        co_await aio::sleep(10s);
        body_went_on = true;
    });
    EXPECT_EQ(messages_of(error), (std::vector<std::string>{"first"}))
        << "ch06.group_task_done: ExceptionGroup with the failure";
    EXPECT_TRUE(sibling->cancelled()) << "ch06.group_abort: the sibling is cancelled";
    EXPECT_FALSE(body_went_on) << "ch06.group_task_done: the body is cancelled at its await";
    EXPECT_EQ(v.elapsed(), 20ms)
        << "ch06.group_task_done, ch06.group_abort: the group ends at the failure (the "
           "siblings are cancelled)";
}

TEST(TaskGroup, ReportsEveryFailureInTheOrderTheyHappened) {
    VirtualLoop v;
    auto fails_when_cancelled = []() -> aio::Coro<void> {
        bool cancelled = false;
        try {
            co_await aio::sleep(10s);
        } catch (const aio::CancelledError&) {
            cancelled = true;
        }
        if (cancelled) throw aio::ValueError("while cancelled");
    };
    std::exception_ptr error = run_group(v.loop, [&](TaskGroup& group) -> aio::Coro<void> {
        group.create_task(fails_when_cancelled());
        group.create_task(fail_after(30ms, "b"));
        group.create_task(fail_after(20ms, "a"));
        group.create_task(fail_after(20ms, "a2"));
        co_return;
    });
    EXPECT_EQ(messages_of(error), (std::vector<std::string>{"a", "a2", "while cancelled"}))
        << "ch06.group_task_done: every failure, in the order they happened; the cancelled 'b' is "
           "not one";
}

TEST(TaskGroup, TheParentIsUncancelledAndCanAwaitAfterward) {
    VirtualLoop v;
    auto body = []() -> aio::Coro<int> {
        std::string kind;
        try {
            co_await aio::task_group([](TaskGroup& group) -> aio::Coro<void> {
                group.create_task(fail_after(10ms, "x"));
                co_await aio::sleep(1s);
            });
        } catch (const aio::ExceptionGroup&) {
            kind = "ExceptionGroup";
        }
        EXPECT_EQ(kind, "ExceptionGroup")
            << "ch06.group_exit: the failure comes out as ExceptionGroup";
        EXPECT_EQ(aio::current_task()->cancelling(), 0)
            << "ch06.group_exit: the group withdrew the cancel it sent its parent (uncancel)";
        co_await aio::sleep(10ms); // must not be cancelled
        co_return 5;
    };
    EXPECT_EQ(run_in_task(v.loop, body()), 5)
        << "ch06.group_exit: the parent goes on after the group";
}

TEST(TaskGroup, AnOutsideCancelCancelsTheChildrenAndWins) {
    VirtualLoop v;
    std::optional<Task<int>> child;
    auto body = [&]() -> aio::Coro<void> {
        auto group_body = [&](TaskGroup& group) -> aio::Coro<void> {
            child.emplace(group.create_task(value_after(10s, 1)));
            co_return; // the group waits in its exit, where the cancel arrives
        };
        co_await aio::task_group(group_body); // named first: GCC 12 and lambda temporaries
    };
    Task<void> parent = aio::create_task(v.loop, body());
    v.loop.call_later(50ms, [parent]() mutable { parent.cancel("outside"); });
    ASSERT_TRUE(run_until_done(v.loop, Future<void>(parent)))
        << "the run ends (a lost wake-up would leave it pending)";
    EXPECT_TRUE(child->cancelled())
        << "ch06.group_exit: a cancel of the parent cancels the children";
    EXPECT_TRUE(parent.cancelled())
        << "ch06.group_exit: the outside cancel comes out as CancelledError";
    EXPECT_EQ(v.elapsed(), 50ms) << "ch06.group_exit: at once, not when the child would have ended";
}

namespace {
// A child whose clean-up fails: cancelled, it raises an error of its own.
aio::Coro<void> fails_when_cancelled() {
    try {
        co_await aio::sleep(1h);
    } catch (const aio::CancelledError&) {
    }
    throw aio::ValueError("clean-up failed");
}
} // namespace

// asyncio 3.13's __aexit__: with failures to raise while an outside cancel is
// pending on the parent, it uncancels and cancels the parent again, so the
// ExceptionGroup goes out and the cancel still reaches the parent's next await.
TEST(TaskGroup, AnOutsideCancelThatMeetsAFailureStaysPending) {
    VirtualLoop v;
    std::vector<std::string> log;
    auto body = [&]() -> aio::Coro<void> {
        auto group_body = [](TaskGroup& group) -> aio::Coro<void> {
            group.create_task(fails_when_cancelled());
            co_return; // the group waits in its exit, where the cancel arrives
        };
        try {
            co_await aio::task_group(group_body);
        } catch (const aio::ExceptionGroup& group) {
            log.push_back(std::string("ExceptionGroup: ") + messages_of(group).front());
        }
        try {
            co_await aio::sleep(1s);
            log.push_back("slept");
        } catch (const aio::CancelledError&) {
            log.push_back("cancelled at the next await");
            throw;
        }
    };
    Task<void> parent = aio::create_task(v.loop, body());
    v.loop.call_later(50ms, [parent]() mutable { parent.cancel("outside"); });
    ASSERT_TRUE(run_until_done(v.loop, Future<void>(parent)))
        << "the run ends (a lost wake-up would leave it pending)";
    EXPECT_EQ(log, (std::vector<std::string>{"ExceptionGroup: clean-up failed",
                                             "cancelled at the next await"}))
        << "ch06.group_exit: the child's failure comes out as ExceptionGroup, and the outside "
           "cancel must stay pending (uncancel, then cancel again), so the parent's next await "
           "raises CancelledError instead of sleeping";
    EXPECT_TRUE(parent.cancelled()) << "ch06.group_exit: the outside cancel is not lost";
    EXPECT_EQ(v.elapsed(), 50ms) << "ch06.group_exit: the parent's sleep is cancelled at once";
}

TEST(TaskGroup, CreateTaskWhileShuttingDownIsARuntimeError) {
    VirtualLoop v;
    std::string refused;
    std::exception_ptr error = run_group(v.loop, [&](TaskGroup& group) -> aio::Coro<void> {
        group.create_task(fail_after(1ms, "fails"));
        try {
            co_await aio::sleep(1s);
        } catch (const aio::CancelledError&) {
        }
        try {
            group.create_task(value_after(1ms, 2));
        } catch (const aio::RuntimeError& e) {
            refused = e.what();
        }
    });
    EXPECT_EQ(messages_of(error), (std::vector<std::string>{"fails"}))
        << "ch06.group_task_done: the failure";
    EXPECT_EQ(refused, "TaskGroup is shutting down")
        << "ch06.group_abort, ch06.group_task_done: after a failure the group refuses new "
           "tasks (it is marked as shutting down)";
}

TEST(TaskGroup, CreateTaskOnceTheLastChildEndedInExitIsARuntimeError) {
    VirtualLoop v;
    std::string refused;
    std::exception_ptr error = run_group(v.loop, [&](TaskGroup& group) -> aio::Coro<void> {
        Task<int> last = group.create_task(value_after(5ms, 1));
        // Runs right after the group's own done callback, before the group's exit resumes.
        last.add_done_callback([&group, &refused](Future<int>) {
            try {
                group.create_task(value_after(1ms, 1));
            } catch (const aio::RuntimeError& e) {
                refused = e.what();
            }
        });
        co_return;
    });
    EXPECT_EQ(kind_of(error), "none") << "ch06.group_task_done: nothing failed";
    EXPECT_EQ(refused, "TaskGroup is finished")
        << "ch06.group_task_done: an exiting group with no child left refuses new tasks";
}

TEST(TaskGroup, NestedGroupsNest) {
    VirtualLoop v;
    std::exception_ptr error = run_group(v.loop, [&](TaskGroup& outer) -> aio::Coro<void> {
        outer.create_task(aio::task_group([](TaskGroup& inner) -> aio::Coro<void> {
            inner.create_task(fail_after(10ms, "deep"));
            co_return;
        }));
        co_return;
    });
    EXPECT_EQ(messages_of(error), (std::vector<std::string>{
                                      "group: unhandled errors in a TaskGroup (1 sub-exception)"}))
        << "ch06.group_exit: the inner group's ExceptionGroup is one failure of the outer";
}

TEST(TaskGroup, TheBodysOwnExceptionJoinsTheGroup) {
    VirtualLoop v;
    std::optional<Task<int>> child;
    std::exception_ptr error = run_group(v.loop, [&](TaskGroup& group) -> aio::Coro<void> {
        child.emplace(group.create_task(value_after(1s, 1)));
        co_await aio::sleep(5ms);
        throw aio::ValueError("body");
    });
    EXPECT_EQ(messages_of(error), (std::vector<std::string>{"body"}))
        << "ch06.group_exit: the body's exception is reported in the ExceptionGroup";
    EXPECT_TRUE(child->cancelled()) << "ch06.group_exit: and it cancels the children";
}
