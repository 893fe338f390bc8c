// Graded tests: an exception nobody retrieved is reported when the future's
// last handle goes away (asyncio: Future.__del__, "exception was never retrieved").
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "future.hpp"
#include "future_test_helpers.hpp"

using aio::EventLoop;
using aio::Future;
using looplab::RecordedReports;
using looplab::run_one_iteration;

namespace {
std::exception_ptr boom() {
    return std::make_exception_ptr(aio::ValueError("boom"));
}
} // namespace

TEST(NeverRetrieved, ReportedWhenTheLastHandleGoesAway) {
    EventLoop loop;
    RecordedReports reports(loop);
    std::optional<Future<int>> f(std::in_place, loop);
    f->set_exception(boom());
    Future<int> copy = *f;
    f.reset();
    EXPECT_TRUE(reports.contexts.empty()) << "nothing is reported while any handle is alive";
    { Future<int> last = std::move(copy); }
    ASSERT_EQ(reports.contexts.size(), 1u)
        << "the last handle gone, the unretrieved exception goes to the exception handler once";
    EXPECT_EQ(reports.contexts[0].message, "Future exception was never retrieved");
    EXPECT_EQ(looplab::what_of(reports.contexts[0].exception), "boom")
        << "the context carries the exception itself";
}

// Each negative check runs beside a control future that is never retrieved:
// exactly one report (the control's) shows the report works and the rest kept quiet.
TEST(NeverRetrieved, NotReportedOnceRetrieved) {
    EventLoop loop;
    RecordedReports reports(loop);
    {
        Future<int> control(loop);
        control.set_exception(std::make_exception_ptr(aio::KeyError("control")));
        Future<int> by_result(loop);
        by_result.set_exception(boom());
        EXPECT_THROW((void)by_result.result(), aio::ValueError);
        Future<void> by_exception(loop);
        by_exception.set_exception(boom());
        EXPECT_NE(by_exception.exception(), nullptr);
    }
    ASSERT_EQ(reports.contexts.size(), 1u)
        << "result() and exception() both retrieve the exception; only the control reports";
    EXPECT_EQ(looplab::what_of(reports.contexts[0].exception), "control");
}

TEST(NeverRetrieved, NotReportedWhenRetrievedInADoneCallback) {
    EventLoop loop;
    RecordedReports reports(loop);
    {
        Future<int> control(loop);
        control.set_exception(std::make_exception_ptr(aio::KeyError("control")));
        Future<int> f(loop);
        f.add_done_callback([](Future<int> done) { (void)done.exception(); });
        f.set_exception(boom());
        run_one_iteration(loop);
    }
    ASSERT_EQ(reports.contexts.size(), 1u)
        << "a done callback that calls exception() retrieves it; only the control reports";
    EXPECT_EQ(looplab::what_of(reports.contexts[0].exception), "control");
}

TEST(NeverRetrieved, CancelledOrSucceededNeverReports) {
    EventLoop loop;
    RecordedReports reports(loop);
    {
        Future<int> control(loop);
        control.set_exception(std::make_exception_ptr(aio::KeyError("control")));
        Future<int> cancelled(loop);
        EXPECT_TRUE(cancelled.cancel("bye"));
        Future<int> succeeded(loop);
        succeeded.set_result(1);
        Future<int> failed_then_cancel(loop);
        failed_then_cancel.set_exception(boom());
        EXPECT_FALSE(failed_then_cancel.cancel())
            << "cancel() on a done future returns false (and, as asyncio, gives up the report)";
    }
    ASSERT_EQ(reports.contexts.size(), 1u)
        << "only a FINISHED future with an unretrieved exception reports";
    EXPECT_EQ(looplab::what_of(reports.contexts[0].exception), "control");
}

TEST(NeverRetrieved, ReportedOnceForEachFuture) {
    EventLoop loop;
    RecordedReports reports(loop);
    {
        Future<int> a(loop);
        Future<void> b(loop);
        a.set_exception(boom());
        b.set_exception(boom());
    }
    EXPECT_EQ(reports.contexts.size(), 2u);
}

TEST(NeverRetrieved, AFutureThatOutlivesItsLoopGoesToStderr) {
    auto loop = std::make_unique<EventLoop>();
    bool handled = false;
    loop->set_exception_handler([&](EventLoop&, const aio::ExceptionContext&) { handled = true; });
    std::optional<Future<int>> f(std::in_place, *loop);
    f->set_exception(boom());
    loop.reset(); // the loop is gone before the future
    testing::internal::CaptureStderr();
    f.reset();
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_FALSE(handled) << "a destroyed loop's handler must not be called: check loop_alive_";
    EXPECT_NE(err.find("Future exception was never retrieved"), std::string::npos)
        << "with no loop left, write the report to stderr; got: " << err;
}
