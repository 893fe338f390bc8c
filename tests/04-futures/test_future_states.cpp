// Graded tests: the Future state machine and which call raises what (asyncio.Future).
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "future.hpp"
#include "future_test_helpers.hpp"
#include "lifetime.hpp"

using aio::CancelledError;
using aio::EventLoop;
using aio::Future;
using aio::InvalidStateError;

namespace {
std::exception_ptr boom() {
    return std::make_exception_ptr(aio::ValueError("boom"));
}
} // namespace

TEST(Future, SetResultFinishesItAndResultReturnsTheValue) {
    EventLoop loop;
    Future<int> f(loop);
    EXPECT_FALSE(f.done()) << "a new future is PENDING";
    EXPECT_FALSE(f.cancelled());
    f.set_result(42);
    EXPECT_TRUE(f.done()) << "set_result moves the future to FINISHED";
    EXPECT_FALSE(f.cancelled());
    EXPECT_EQ(f.result(), 42);
    EXPECT_EQ(f.result(), 42) << "result() may be called again";
    EXPECT_EQ(f.exception(), nullptr) << "exception() after set_result is null";
}

TEST(Future, ResultWhilePendingRaisesInvalidStateError) {
    EventLoop loop;
    Future<int> f(loop);
    try {
        (void)f.result();
        FAIL() << "result() of a pending future must throw InvalidStateError";
    } catch (const InvalidStateError& e) {
        EXPECT_STREQ(e.what(), "Result is not set.");
    }
    f.set_result(1);
    EXPECT_EQ(f.result(), 1);
}

TEST(Future, ExceptionWhilePendingRaisesInvalidStateError) {
    EventLoop loop;
    Future<int> f(loop);
    try {
        (void)f.exception();
        FAIL() << "exception() of a pending future must throw InvalidStateError";
    } catch (const InvalidStateError& e) {
        EXPECT_STREQ(e.what(), "Exception is not set.");
    }
    f.set_exception(boom());
    EXPECT_EQ(looplab::what_of(f.exception()), "boom");
}

TEST(Future, SetExceptionIsRethrownByResult) {
    EventLoop loop;
    Future<std::string> f(loop);
    f.set_exception(boom());
    EXPECT_TRUE(f.done());
    EXPECT_FALSE(f.cancelled()) << "an exception FINISHES the future; it does not cancel it";
    EXPECT_THROW((void)f.result(), aio::ValueError) << "result() rethrows the exception set";
    EXPECT_EQ(looplab::what_of(f.exception()), "boom") << "exception() returns it, not throws it";

    Future<int> g(loop);
    EXPECT_THROW(g.set_exception(nullptr), aio::ValueError) << "a null exception_ptr is no error";
    EXPECT_FALSE(g.done()) << "a refused set_exception leaves the future PENDING";
}

TEST(Future, SetTwiceRaisesInvalidStateError) {
    EventLoop loop;
    Future<int> f(loop);
    f.set_result(1);
    EXPECT_THROW(f.set_result(2), InvalidStateError) << "a future completes once";
    EXPECT_THROW(f.set_exception(boom()), InvalidStateError);
    EXPECT_EQ(f.result(), 1) << "a failed second set_result must not change the value";

    Future<int> g(loop);
    g.set_exception(boom());
    EXPECT_THROW(g.set_result(2), InvalidStateError);
    EXPECT_THROW(g.set_exception(boom()), InvalidStateError);
    EXPECT_THROW((void)g.result(), aio::ValueError);
}

TEST(Future, SetAfterCancelRaisesInvalidStateError) {
    EventLoop loop;
    Future<int> f(loop);
    ASSERT_TRUE(f.cancel());
    try {
        f.set_result(1);
        FAIL() << "set_result on a cancelled future must throw InvalidStateError";
    } catch (const InvalidStateError& e) {
        EXPECT_STREQ(e.what(), "invalid state");
    }
    EXPECT_THROW(f.set_exception(boom()), InvalidStateError);
    EXPECT_TRUE(f.cancelled());
}

TEST(Future, CancelReturnsFalseWhenAlreadyDone) {
    EventLoop loop;
    Future<int> f(loop);
    EXPECT_TRUE(f.cancel()) << "cancel() of a pending future returns true";
    EXPECT_TRUE(f.done()) << "a cancelled future is done";
    EXPECT_TRUE(f.cancelled());
    EXPECT_FALSE(f.cancel()) << "cancel() of a done future returns false";

    Future<int> finished(loop);
    finished.set_result(3);
    EXPECT_FALSE(finished.cancel()) << "a finished future cannot be cancelled";
    EXPECT_FALSE(finished.cancelled());
    EXPECT_EQ(finished.result(), 3);
}

TEST(Future, CancelledRaisesCancelledErrorWithTheMessage) {
    EventLoop loop;
    Future<int> f(loop);
    ASSERT_TRUE(f.cancel("shutting down"));
    try {
        (void)f.result();
        FAIL() << "result() of a cancelled future must throw CancelledError";
    } catch (const CancelledError& e) {
        EXPECT_STREQ(e.what(), "shutting down") << "the cancel message travels in CancelledError";
    }
    try {
        (void)f.exception();
        FAIL() << "exception() of a cancelled future must THROW CancelledError, not return it";
    } catch (const CancelledError& e) {
        EXPECT_STREQ(e.what(), "shutting down");
    }
    EXPECT_FALSE(f.cancel("again")) << "a second cancel is refused and keeps the first message";
    try {
        (void)f.result();
    } catch (const CancelledError& e) {
        EXPECT_STREQ(e.what(), "shutting down");
    }
}

TEST(Future, VoidFutureHasNoValue) {
    EventLoop loop;
    Future<void> f(loop);
    EXPECT_THROW(f.result(), InvalidStateError);
    f.set_result();
    EXPECT_TRUE(f.done());
    EXPECT_NO_THROW(f.result());
    EXPECT_EQ(f.exception(), nullptr);
    EXPECT_THROW(f.set_result(), InvalidStateError);

    Future<void> failed(loop);
    failed.set_exception(boom());
    EXPECT_THROW(failed.result(), aio::ValueError);
}

TEST(Future, CopiesAreHandlesToOneFuture) {
    EventLoop loop;
    Future<int> f(loop);
    Future<int> copy = f;
    EXPECT_TRUE(copy == f);
    copy.set_result(5);
    EXPECT_TRUE(f.done()) << "a copy of a Future is the same future, not a new one";
    EXPECT_EQ(f.result(), 5);
    EXPECT_EQ(&f.get_loop(), &loop);
}

TEST(Future, DefaultConstructorBindsTheRunningLoop) {
    EventLoop loop;
    EventLoop* bound = nullptr;
    int value = 0;
    loop.call_soon([&] {
        Future<int> f; // asyncio: loop.create_future()
        bound = &f.get_loop();
        f.set_result(9);
        value = f.result();
    });
    looplab::run_one_iteration(loop);
    EXPECT_EQ(bound, &loop) << "Future() binds get_running_loop()";
    EXPECT_EQ(value, 9);
    EXPECT_THROW(Future<int>{}, aio::RuntimeError) << "no running loop: RuntimeError";
}

TEST(Future, ValueIsDestroyedOnceWithTheLastHandle) {
    looplab::LifetimeCounts counts;
    {
        EventLoop loop;
        Future<std::shared_ptr<looplab::Counted>> f(loop);
        f.set_result(std::make_shared<looplab::Counted>(counts));
        auto copy = f;
        EXPECT_EQ(counts.alive(), 1);
        EXPECT_EQ(f.result().get(), copy.result().get()) << "every handle reads the same value";
    }
    EXPECT_EQ(counts.alive(), 0) << counts.summary();
    EXPECT_EQ(counts.destroyed, 1) << counts.summary();
}
