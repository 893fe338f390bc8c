// Graded tests: the Future state machine and which call raises what
// (asyncio.Future): exercises ch04.result, ch04.finish, ch04.set_exception,
// ch04.cancel.
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

// ---------------------------------------------------------------- ch04.result

TEST(Future, ResultWhilePendingRaisesInvalidStateError) {
    EventLoop loop;
    Future<int> f(loop);
    EXPECT_FALSE(f.done()) << "a new future is PENDING (given code: done())";
    try {
        (void)f.result();
        FAIL() << "ch04.result: result() of a pending future must throw InvalidStateError";
    } catch (const InvalidStateError& e) {
        EXPECT_STREQ(e.what(), "Result is not set.")
            << "ch04.result: throw InvalidStateError with the message it is given";
    }
}

TEST(Future, ExceptionWhilePendingRaisesInvalidStateError) {
    EventLoop loop;
    Future<int> f(loop);
    try {
        (void)f.exception();
        FAIL() << "ch04.result: exception() of a pending future must throw InvalidStateError";
    } catch (const InvalidStateError& e) {
        EXPECT_STREQ(e.what(), "Exception is not set.")
            << "ch04.result: throw InvalidStateError with the message it is given";
    }
}

// ---------------------------------------------------------------- ch04.finish

TEST(Future, SetResultFinishesItAndResultReturnsTheValue) {
    EventLoop loop;
    Future<int> f(loop);
    f.set_result(42);
    EXPECT_TRUE(f.done()) << "ch04.finish: set_result moves the future to FINISHED";
    EXPECT_FALSE(f.cancelled()) << "ch04.finish: FINISHED is not CANCELLED";
    EXPECT_EQ(f.result(), 42) << "ch04.result: a FINISHED future hands out its value";
    EXPECT_EQ(f.result(), 42) << "ch04.result: result() may be called again";
    EXPECT_EQ(f.exception(), nullptr) << "ch04.finish: after set_result there is no exception";
}

TEST(Future, SetResultTwiceRaisesInvalidStateError) {
    EventLoop loop;
    Future<int> f(loop);
    f.set_result(1);
    try {
        f.set_result(2);
        FAIL() << "ch04.finish: a future completes once; a second set_result is InvalidStateError";
    } catch (const InvalidStateError& e) {
        EXPECT_STREQ(e.what(), "invalid state") << "ch04.finish: asyncio's message";
    }
    EXPECT_EQ(f.result(), 1) << "ch04.finish: a refused second set_result keeps the first value";
}

TEST(Future, VoidFutureHasNoValue) {
    EventLoop loop;
    Future<void> f(loop);
    EXPECT_THROW(f.result(), InvalidStateError) << "ch04.result: pending, even for void";
    f.set_result();
    EXPECT_TRUE(f.done()) << "ch04.finish: set_result() finishes a Future<void>";
    EXPECT_NO_THROW(f.result()) << "ch04.result: a finished Future<void> returns nothing";
    EXPECT_EQ(f.exception(), nullptr) << "ch04.result: no exception after set_result()";
    EXPECT_THROW(f.set_result(), InvalidStateError) << "ch04.finish: a void future completes once";
}

TEST(Future, CopiesAreHandlesToOneFuture) {
    EventLoop loop;
    Future<int> f(loop);
    Future<int> copy = f;
    EXPECT_TRUE(copy == f) << "a copy is a handle to the same state (given code)";
    copy.set_result(5);
    EXPECT_TRUE(f.done()) << "ch04.finish: a copy of a Future is the same future, not a new one";
    EXPECT_EQ(f.result(), 5) << "ch04.result: every handle reads the one value";
    EXPECT_EQ(&f.get_loop(), &loop) << "a future belongs to the loop it was made for";
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
    EXPECT_EQ(bound, &loop) << "Future() binds get_running_loop() (given code)";
    EXPECT_EQ(value, 9) << "ch04.finish, ch04.result: the value set inside the loop comes back";
    EXPECT_THROW(Future<int>{}, aio::RuntimeError) << "no running loop: RuntimeError (given code)";
}

TEST(Future, ValueIsDestroyedOnceWithTheLastHandle) {
    looplab::LifetimeCounts counts;
    {
        EventLoop loop;
        Future<std::shared_ptr<looplab::Counted>> f(loop);
        f.set_result(std::make_shared<looplab::Counted>(counts));
        auto copy = f;
        EXPECT_EQ(counts.alive(), 1) << "ch04.finish: the future keeps one value";
        EXPECT_EQ(f.result().get(), copy.result().get())
            << "ch04.result: every handle reads the same value";
    }
    EXPECT_EQ(counts.alive(), 0) << "ch04.finish: the value goes with the last handle; "
                                 << counts.summary();
    EXPECT_EQ(counts.destroyed, 1) << "ch04.finish: destroyed exactly once; " << counts.summary();
}

// ---------------------------------------------------------------- ch04.set_exception

TEST(Future, SetExceptionIsRethrownByResult) {
    EventLoop loop;
    Future<std::string> f(loop);
    f.set_exception(boom());
    EXPECT_TRUE(f.done()) << "ch04.set_exception: an exception FINISHES the future";
    EXPECT_FALSE(f.cancelled()) << "ch04.set_exception: an exception does not cancel it";
    EXPECT_THROW((void)f.result(), aio::ValueError)
        << "ch04.result: result() rethrows the exception set";
    EXPECT_EQ(looplab::what_of(f.exception()), "boom")
        << "ch04.result: exception() returns the exception set, it does not throw it";

    Future<void> v(loop);
    v.set_exception(boom());
    EXPECT_THROW(v.result(), aio::ValueError) << "ch04.set_exception: a Future<void> fails too";
}

TEST(Future, SetExceptionIsRefusedWhenDoneOrNull) {
    EventLoop loop;
    Future<int> f(loop);
    f.set_result(1);
    EXPECT_THROW(f.set_exception(boom()), InvalidStateError)
        << "ch04.set_exception: a finished future refuses an exception (InvalidStateError)";
    EXPECT_EQ(f.result(), 1) << "ch04.set_exception: a refused set_exception changes nothing";

    Future<int> g(loop);
    g.set_exception(boom());
    EXPECT_THROW(g.set_exception(boom()), InvalidStateError)
        << "ch04.set_exception: a future completes once, with an exception too";
    EXPECT_THROW(g.set_result(2), InvalidStateError)
        << "ch04.set_exception: set_result after set_exception is InvalidStateError";
    EXPECT_THROW((void)g.result(), aio::ValueError)
        << "ch04.set_exception: the first exception stays";

    Future<int> h(loop);
    EXPECT_THROW(h.set_exception(nullptr), aio::ValueError)
        << "ch04.set_exception: a null exception_ptr is no error: ValueError";
    EXPECT_FALSE(h.done()) << "ch04.set_exception: a refused set_exception leaves it PENDING";
    EXPECT_THROW(f.set_exception(nullptr), InvalidStateError)
        << "ch04.set_exception: the state is checked first, then the argument (asyncio's order)";
}

// ---------------------------------------------------------------- ch04.cancel

TEST(Future, CancelReturnsFalseWhenAlreadyDone) {
    EventLoop loop;
    Future<int> f(loop);
    EXPECT_TRUE(f.cancel()) << "ch04.cancel: cancel() of a pending future returns true";
    EXPECT_TRUE(f.done()) << "ch04.cancel: a cancelled future is done";
    EXPECT_TRUE(f.cancelled()) << "ch04.cancel: and CANCELLED";
    EXPECT_FALSE(f.cancel()) << "ch04.cancel: cancel() of a done future returns false";

    Future<int> finished(loop);
    finished.set_result(3);
    EXPECT_FALSE(finished.cancel()) << "ch04.cancel: a finished future cannot be cancelled";
    EXPECT_FALSE(finished.cancelled()) << "ch04.cancel: a refused cancel leaves it FINISHED";
    EXPECT_EQ(finished.result(), 3) << "ch04.cancel: a refused cancel keeps the value";
}

TEST(Future, CancelledRaisesCancelledErrorWithTheMessage) {
    EventLoop loop;
    Future<int> f(loop);
    ASSERT_TRUE(f.cancel("shutting down")) << "ch04.cancel: a pending future accepts a cancel";
    try {
        (void)f.result();
        FAIL() << "ch04.result: result() of a cancelled future must throw CancelledError";
    } catch (const CancelledError& e) {
        EXPECT_STREQ(e.what(), "shutting down")
            << "ch04.cancel, ch04.result: the cancel message travels in CancelledError";
    }
    try {
        (void)f.exception();
        FAIL() << "ch04.result: exception() of a cancelled future must THROW CancelledError";
    } catch (const CancelledError& e) {
        EXPECT_STREQ(e.what(), "shutting down") << "ch04.result: the same message";
    }
    EXPECT_FALSE(f.cancel("again")) << "ch04.cancel: a second cancel is refused";
    try {
        (void)f.result();
    } catch (const CancelledError& e) {
        EXPECT_STREQ(e.what(), "shutting down") << "ch04.cancel: a refused cancel keeps the "
                                                   "first message";
    }

    // The type-erased state (what chapter 06 cancels through) has the same
    // default message as Future::cancel: none.
    Future<int> g(loop);
    aio::detail::FutureStateBase& state = *g.state();
    ASSERT_TRUE(state.cancel()) << "ch04.cancel: the state's cancel() of a pending future is true";
    EXPECT_EQ(state.cancel_message(), "") << "ch04.cancel: cancel() with no message keeps none";
    EXPECT_THROW((void)g.result(), CancelledError)
        << "ch04.result: a future cancelled through its state throws CancelledError";
}

TEST(Future, SetAfterCancelRaisesInvalidStateError) {
    EventLoop loop;
    Future<int> f(loop);
    ASSERT_TRUE(f.cancel()) << "ch04.cancel: a pending future accepts a cancel";
    try {
        f.set_result(1);
        FAIL() << "ch04.cancel: set_result on a cancelled future must throw InvalidStateError";
    } catch (const InvalidStateError& e) {
        EXPECT_STREQ(e.what(), "invalid state") << "ch04.cancel: asyncio's message";
    }
    EXPECT_THROW(f.set_exception(boom()), InvalidStateError)
        << "ch04.set_exception: a cancelled future refuses an exception too";
    EXPECT_TRUE(f.cancelled()) << "ch04.cancel: the refused sets leave it CANCELLED";
}
