// Graded tests: an exception nobody retrieved is reported when the future's
// last handle goes away (asyncio: Future.__del__, "exception was never retrieved"):
// exercise ch04.never_retrieved (and ch04.result, which marks an exception retrieved).
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
    EXPECT_TRUE(reports.contexts.empty())
        << "ch04.never_retrieved: nothing is reported while any handle is alive";
    { Future<int> last = std::move(copy); }
    ASSERT_EQ(reports.contexts.size(), 1u)
        << "ch04.never_retrieved: the last handle gone, the unretrieved exception goes to the "
           "loop's exception handler, once";
    EXPECT_EQ(reports.contexts[0].message, "Future exception was never retrieved")
        << "ch04.never_retrieved: the message is the class name + \" exception was never "
           "retrieved\"";
    EXPECT_EQ(looplab::what_of(reports.contexts[0].exception), "boom")
        << "ch04.never_retrieved: the context carries the exception itself";
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
        EXPECT_THROW((void)by_result.result(), aio::ValueError)
            << "ch04.result: result() rethrows the exception";
        Future<void> by_exception(loop);
        by_exception.set_exception(boom());
        EXPECT_NE(by_exception.exception(), nullptr)
            << "ch04.result: exception() returns the exception";
    }
    ASSERT_EQ(reports.contexts.size(), 1u)
        << "ch04.result: result() and exception() both retrieve the exception (log_traceback_ "
           "off); only the control future, never retrieved, reports";
    EXPECT_EQ(looplab::what_of(reports.contexts[0].exception), "control")
        << "ch04.never_retrieved: the one report is the control's";
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
        << "ch04.never_retrieved: a done callback that calls exception() retrieves it; only the "
           "control reports";
    EXPECT_EQ(looplab::what_of(reports.contexts[0].exception), "control")
        << "ch04.never_retrieved: the one report is the control's";
}

TEST(NeverRetrieved, CancelledOrSucceededNeverReports) {
    EventLoop loop;
    RecordedReports reports(loop);
    {
        Future<int> control(loop);
        control.set_exception(std::make_exception_ptr(aio::KeyError("control")));
        Future<int> cancelled(loop);
        EXPECT_TRUE(cancelled.cancel("bye")) << "ch04.cancel: a pending future accepts a cancel";
        Future<int> succeeded(loop);
        succeeded.set_result(1);
        Future<int> failed_then_cancel(loop);
        failed_then_cancel.set_exception(boom());
        EXPECT_FALSE(failed_then_cancel.cancel())
            << "ch04.cancel: cancel() on a done future returns false (and, as asyncio, gives up "
               "the report)";
    }
    ASSERT_EQ(reports.contexts.size(), 1u) << "ch04.never_retrieved: only a FINISHED future with "
                                              "an unretrieved exception reports";
    EXPECT_EQ(looplab::what_of(reports.contexts[0].exception), "control")
        << "ch04.never_retrieved: the one report is the control's";
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
    EXPECT_EQ(reports.contexts.size(), 2u)
        << "ch04.never_retrieved: two futures never retrieved, two reports (one each)";
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
    EXPECT_FALSE(handled)
        << "ch04.never_retrieved: a destroyed loop's handler must not be called: check loop_alive_";
    EXPECT_NE(err.find("Future exception was never retrieved"), std::string::npos)
        << "ch04.never_retrieved: with no loop left, write the report to stderr; got: " << err;
}
