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
    EXPECT_EQ(what_of(handler.contexts[0].exception), "boom");
    EXPECT_EQ(what_of(handler.contexts[1].exception), "timer boom");
}

TEST(ExceptionHandler, AThrowingHandlerFallsBackToTheDefault) {
    EventLoop loop;
    int handler_calls = 0;
    loop.set_exception_handler([&](EventLoop&, const aio::ExceptionContext&) {
        ++handler_calls;
        throw std::runtime_error("the handler broke");
    });
    bool next_ran = false;
    loop.call_soon([] { throw std::runtime_error("boom"); });
    loop.call_soon([&] { next_ran = true; });
    testing::internal::CaptureStderr();
    EXPECT_NO_THROW(loop.run_once());
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(handler_calls, 1);
    EXPECT_TRUE(next_ran) << "a broken handler must not stop the loop";
    EXPECT_NE(err.find("Unhandled error in exception handler"), std::string::npos) << err;
    EXPECT_NE(err.find("the handler broke"), std::string::npos)
        << "the default handler reports the handler's own exception; stderr was: " << err;
}

TEST(ExceptionHandler, TheDefaultWritesToStderrAndNullRestoresIt) {
    EventLoop loop;
    int custom_calls = 0;
    loop.set_exception_handler([&](EventLoop&, const aio::ExceptionContext&) { ++custom_calls; });
    loop.set_exception_handler(nullptr);
    loop.call_soon([] { throw std::runtime_error("boom for stderr"); });
    testing::internal::CaptureStderr();
    loop.run_once();
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(custom_calls, 0) << "set_exception_handler(nullptr) restores the default";
    EXPECT_NE(err.find("Exception in callback"), std::string::npos) << err;
    EXPECT_NE(err.find("boom for stderr"), std::string::npos) << err;

    testing::internal::CaptureStderr();
    loop.call_exception_handler({"a report without an exception", nullptr});
    err = testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("a report without an exception"), std::string::npos) << err;
}

TEST(Close, DropsQueuedWorkAndRefusesNewWork) {
    EventLoop loop;
    auto captured = std::make_shared<int>(1);
    looplab::SocketPair pair;
    loop.call_soon([captured] {});
    loop.call_later(1s, [captured] {});
    loop.call_soon_threadsafe([captured] {});
    loop.add_reader(pair.left(), [captured] {});
    EXPECT_EQ(captured.use_count(), 5);
    loop.close();
    EXPECT_TRUE(loop.is_closed());
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
    EXPECT_FALSE(loop.remove_writer(pair.left()));
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
    EXPECT_EQ(message, "Cannot close a running event loop");
    EXPECT_FALSE(loop.is_closed());
}

TEST(DebugMode, CallSoonFromAForeignThreadIsARuntimeError) {
    EventLoop loop({.debug = true});
    EXPECT_TRUE(loop.get_debug());
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
              "Non-thread-safe operation invoked on an event loop other than the current one");
}

TEST(DebugMode, ASlowCallbackIsReportedWithItsDuration) {
    aio::VirtualClock clock; // the callback "takes" 300 ms by moving the clock: exact, instant
    EventLoop loop({.clock = &clock});
    loop.set_debug(true);
    looplab::RecordingHandler handler(loop);
    loop.call_soon([&] { clock.advance(300ms); });
    loop.call_soon([&] { clock.advance(50ms); }); // under the 100 ms threshold
    loop.run_once();
    ASSERT_EQ(handler.contexts.size(), 1u) << "report callbacks of 100 ms or more, only those";
    EXPECT_EQ(handler.contexts[0].message, "Executing <Handle> took 0.300 seconds");
    EXPECT_FALSE(handler.contexts[0].exception) << "a slow callback is a warning, not an error";
    loop.set_debug(false);
    loop.call_soon([&] { clock.advance(300ms); });
    loop.run_once();
    EXPECT_EQ(handler.contexts.size(), 1u) << "outside debug mode nothing is timed";
}
