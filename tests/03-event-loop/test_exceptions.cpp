// Graded tests: the exception handler, close(), and debug mode.
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "event_loop.hpp"
#include "loop_test_helpers.hpp"

using namespace std::chrono_literals;
using aio::EventLoop;
using looplab::what_of;

TEST(ExceptionHandler, AThrowingCallbackIsReportedAndTheLoopGoesOn) {
    EventLoop loop;
    looplab::RecordingHandler handler(loop);
    std::vector<int> ran;
    loop.call_soon([&] { ran.push_back(1); });
    loop.call_soon([] { throw std::runtime_error("boom"); });
    loop.call_soon([&] { ran.push_back(3); });
    loop.call_later(0s, [] { throw aio::ValueError("timer boom"); });
    ASSERT_NO_THROW(loop.run_once()) << "a callback's exception must not escape run_once";
    EXPECT_EQ(ran, (std::vector<int>{1, 3})) << "no other queued callback may be lost";
    ASSERT_EQ(handler.contexts.size(), 2u) << "each throwing callback is reported once";
    EXPECT_EQ(handler.contexts[0].message.rfind("Exception in callback", 0), 0u)
        << "asyncio's message: \"Exception in callback ...\"";
    EXPECT_EQ(what_of(handler.contexts[0].exception), "boom")
        << "ch03.run_callback: the context carries the callback's exception";
    EXPECT_EQ(what_of(handler.contexts[1].exception), "timer boom")
        << "ch03.run_callback: a timer's exception is reported the same way";
}

TEST(ExceptionHandler, TheDefaultWritesTheMessageAndWhatTheExceptionSays) {
    EventLoop loop;
    auto stderr_of = [&](const aio::ExceptionContext& context) {
        testing::internal::CaptureStderr();
        loop.default_exception_handler(context);
        return testing::internal::GetCapturedStderr();
    };
    EXPECT_EQ(
        stderr_of({"Exception in callback", std::make_exception_ptr(std::runtime_error("boom"))}),
        "Exception in callback: boom\n")
        << "ch03.default_exception_handler: one line, the message, then what() after \": \"";
    EXPECT_EQ(stderr_of({"a report", nullptr}), "a report\n")
        << "ch03.default_exception_handler: no exception: the message alone";
    EXPECT_EQ(stderr_of({"", nullptr}), "Unhandled exception in event loop\n")
        << "ch03.default_exception_handler: an empty message has asyncio's stand-in";
    EXPECT_EQ(stderr_of({"task", std::make_exception_ptr(aio::CancelledError())})
                  .rfind("task: CancelledError", 0),
              0u)
        << "ch03.default_exception_handler: a CancelledError is no std::exception; say what it is";
    EXPECT_EQ(stderr_of({"odd", std::make_exception_ptr(42)}),
              "odd: an exception that is not a std::exception\n")
        << "ch03.default_exception_handler: anything else thrown is named as such";
}

TEST(ExceptionHandler, AThrowingHandlerFallsBackToTheDefault) {
    EventLoop loop;
    int handler_calls = 0;
    loop.set_exception_handler([&](EventLoop&, const aio::ExceptionContext&) {
        ++handler_calls;
        throw std::runtime_error("the handler broke");
    });
    testing::internal::CaptureStderr();
    EXPECT_NO_THROW(loop.call_exception_handler(
        {"Exception in callback", std::make_exception_ptr(std::runtime_error("boom"))}))
        << "ch03.call_exception_handler: a handler's exception must not escape";
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(handler_calls, 1) << "ch03.call_exception_handler: the installed handler is called";
    EXPECT_EQ(err, "Unhandled error in exception handler (while handling: Exception in "
                   "callback): the handler broke\n")
        << "ch03.call_exception_handler: the default handler reports the handler's own "
           "exception, naming what it was handling";

    int custom_calls = 0;
    loop.set_exception_handler([&](EventLoop&, const aio::ExceptionContext&) { ++custom_calls; });
    loop.call_exception_handler({"to the custom handler", nullptr});
    EXPECT_EQ(custom_calls, 1) << "ch03.call_exception_handler: a handler that works is used";
    loop.set_exception_handler(nullptr);
    testing::internal::CaptureStderr();
    loop.call_exception_handler({"a report without an exception", nullptr});
    err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(custom_calls, 1) << "ch03.call_exception_handler: nullptr restores the default";
    EXPECT_EQ(err, "a report without an exception\n")
        << "ch03.call_exception_handler: no handler set: the default writes to stderr";
}

namespace {
// Set when the captures of the handler below die; read by that handler after it
// replaced itself, when only globals may be touched.
std::weak_ptr<int> handler_captures;
bool captures_alive_after_replacing = false;
} // namespace

TEST(ExceptionHandler, AHandlerMayThrowAnythingOrReplaceItself) {
    EventLoop loop;
    loop.set_exception_handler([](EventLoop&, const aio::ExceptionContext&) { throw 42; });
    testing::internal::CaptureStderr();
    EXPECT_NO_THROW(loop.call_exception_handler({"first", nullptr}))
        << "ch03.call_exception_handler: catch whatever a handler throws, not only a "
           "std::exception";
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(err, "Unhandled error in exception handler (while handling: first): an exception "
                   "that is not a std::exception\n")
        << "ch03.call_exception_handler: the default handler reports it";

    auto captures = std::make_shared<int>(0);
    handler_captures = captures;
    loop.set_exception_handler([&loop, captures](EventLoop&, const aio::ExceptionContext&) {
        loop.set_exception_handler(nullptr); // destroys the loop's copy of this very handler
        captures_alive_after_replacing = !handler_captures.expired();
    });
    captures.reset(); // the handler holds the only reference now
    loop.call_exception_handler({"second", nullptr});
    EXPECT_TRUE(captures_alive_after_replacing)
        << "ch03.call_exception_handler: a handler that replaces itself must live (with its "
           "captures) until it returns: call a copy of it";
    EXPECT_TRUE(handler_captures.expired())
        << "ch03.call_exception_handler: once it returned, the replaced handler is gone";
}

TEST(ExceptionHandler, AThrowingCallbackInAPassGoesToTheDefaultOnStderr) {
    EventLoop loop;
    loop.call_soon([] { throw std::runtime_error("boom for stderr"); });
    testing::internal::CaptureStderr();
    loop.run_once();
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(err, "Exception in callback: boom for stderr\n")
        << "ch03.run_callback: a callback's exception reaches the default handler";
}

TEST(Close, DropsQueuedWorkAndRefusesNewWork) {
    EventLoop loop;
    auto captured = std::make_shared<int>(1);
    looplab::SocketPair pair;
    loop.call_soon([captured] {});
    loop.call_later(1s, [captured] {});
    loop.call_soon_threadsafe([captured] {});
    loop.add_reader(pair.left(), [captured] {});
    EXPECT_EQ(captured.use_count(), 5)
        << "the callback is held by the ready queue, the timer, the posted queue and the reader";
    loop.close();
    EXPECT_TRUE(loop.is_closed()) << "close() marks the loop closed";
    EXPECT_EQ(captured.use_count(), 1) << "close() drops queued callbacks, timers and readers";
    EXPECT_NO_THROW(loop.close()) << "close() is idempotent";
    auto expect_closed = [](auto&& call, const char* what) {
        try {
            call();
            ADD_FAILURE() << what << " on a closed loop must throw RuntimeError";
        } catch (const aio::RuntimeError& e) {
            EXPECT_STREQ(e.what(), "Event loop is closed") << what;
        }
    };
    expect_closed([&] { loop.call_soon([] {}); }, "call_soon");
    expect_closed([&] { loop.call_soon_threadsafe([] {}); }, "call_soon_threadsafe");
    expect_closed([&] { loop.call_later(1s, [] {}); }, "call_later");
    expect_closed([&] { loop.call_at(loop.time(), [] {}); }, "call_at");
    expect_closed([&] { loop.add_reader(pair.left(), [] {}); }, "add_reader");
    expect_closed([&] { loop.run_once(); }, "run_once");
    expect_closed([&] { loop.run_forever(); }, "run_forever");
    EXPECT_FALSE(loop.remove_reader(pair.left())) << "remove_* on a closed loop return false";
    EXPECT_FALSE(loop.remove_writer(pair.left())) << "remove_* on a closed loop return false";
}

TEST(Close, ARunningLoopCannotBeClosed) {
    EventLoop loop;
    std::string message;
    loop.call_soon([&] {
        try {
            loop.close();
        } catch (const aio::RuntimeError& e) {
            message = e.what();
        }
    });
    loop.run_once();
    EXPECT_EQ(message, "Cannot close a running event loop")
        << "asyncio's message for close() on a running loop";
    EXPECT_FALSE(loop.is_closed()) << "a refused close() leaves the loop open";
}

TEST(DebugMode, CallSoonFromAForeignThreadIsARuntimeError) {
    EventLoop loop({.debug = true});
    EXPECT_TRUE(loop.get_debug()) << "LoopOptions::debug turns debug mode on";
    std::string message;
    loop.call_soon([&] {
        std::thread foreign([&] {
            try {
                loop.call_soon([] {});
            } catch (const aio::RuntimeError& e) {
                message = e.what();
            }
        });
        foreign.join();
    });
    loop.run_once();
    EXPECT_EQ(message,
              "Non-thread-safe operation invoked on an event loop other than the current one")
        << "ch03.call_soon / ch03.check_thread: in debug mode, call_soon from a foreign thread "
           "while the loop runs is a RuntimeError with asyncio's message";
}

TEST(DebugMode, CallLaterFromAForeignThreadIsARuntimeError) {
    EventLoop loop({.debug = true});
    bool refused = false, armed = false;
    loop.call_soon([&] {
        std::thread foreign([&] {
            try {
                loop.call_later(1s, [] {});
                armed = true;
            } catch (const aio::RuntimeError&) {
                refused = true;
            }
        });
        foreign.join();
    });
    loop.run_once();
    EXPECT_TRUE(refused) << "ch03.call_at: in debug mode, arming a timer from a foreign thread "
                            "while the loop runs is a RuntimeError (check_thread)";
    EXPECT_FALSE(armed) << "ch03.call_at: the refused timer is not armed";
}

TEST(DebugMode, ASlowCallbackIsReportedWithItsDuration) {
    aio::VirtualClock clock; // the callback "takes" 300 ms by moving the clock: exact, instant
    EventLoop loop({.clock = &clock});
    loop.set_debug(true);
    looplab::RecordingHandler handler(loop);
    loop.call_soon([&] { clock.advance(300ms); });
    loop.call_soon([&] { clock.advance(50ms); });  // under the 100 ms threshold
    loop.call_soon([&] { clock.advance(100ms); }); // exactly the threshold: reported
    loop.run_once();
    ASSERT_EQ(handler.contexts.size(), 2u)
        << "ch03.run_callback: report callbacks of 100 ms or more, only those";
    EXPECT_EQ(handler.contexts[1].message, "Executing <Handle> took 0.100 seconds")
        << "ch03.run_callback: a callback of exactly slow_callback_duration is reported";
    EXPECT_EQ(handler.contexts[0].message, "Executing <Handle> took 0.300 seconds")
        << "ch03.run_callback: asyncio's message, the duration in seconds with three decimals";
    EXPECT_FALSE(handler.contexts[0].exception) << "a slow callback is a warning, not an error";
    loop.set_debug(false);
    loop.call_soon([&] { clock.advance(300ms); });
    loop.run_once();
    EXPECT_EQ(handler.contexts.size(), 2u) << "outside debug mode nothing is timed";
}
