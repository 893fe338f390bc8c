// The tracer: every callback and task step as a span on the loop's clock, and
// its timeline.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "debugging.hpp"
#include "virtual_loop.hpp"

using namespace looplab;
using aio::Coro;

namespace {

std::string show(const std::vector<aio::Tracer::Span>& spans) {
    std::string text;
    for (const auto& s : spans)
        text += "\n  " + s.row + " " + std::to_string(s.start_s) + "-" + std::to_string(s.end_s) +
                " " + s.kind;
    return text;
}

// Two steps: 30 ms of work, a 100 ms sleep, 10 ms of work.
Coro<void> worker(aio::VirtualClock& clock) {
    clock.advance(30ms);
    co_await aio::sleep(100ms);
    clock.advance(10ms);
}

} // namespace

TEST(Tracer, EveryCallbackAndTaskStepIsASpanOnTheLoopsClock) {
    VirtualLoop v;
    aio::Tracer tracer(v.loop);
    v.loop.call_soon([&] { v.clock.advance(20ms); });
    auto task = aio::create_task(v.loop, worker(v.clock), "w-1");
    aio::run_until_complete(v.loop, aio::Future<void>(task));
    const auto& spans = tracer.spans();
    std::string got = show(spans);
    ASSERT_GE(spans.size(), 4u) << "ch13.trace_end: a span per callback, got:" << got;
    EXPECT_EQ(spans[0].row, "callbacks") << "ch13.trace_span: a plain callback's row" << got;
    EXPECT_DOUBLE_EQ(spans[0].start_s, 0.0) << "ch13.trace_end: starts at the tracer's zero" << got;
    EXPECT_DOUBLE_EQ(spans[0].end_s, 0.020)
        << "ch13.trace_end: ends when it returns (20 ms)" << got;
    EXPECT_EQ(spans[0].kind, 'c') << "ch13.trace_span: a plain callback is 'c'" << got;
    EXPECT_EQ(spans[1].row, "w-1")
        << "ch13.trace_span: a task step's row is its task's name" << got;
    EXPECT_EQ(spans[1].kind, 'T') << "ch13.trace_span: a task step is 'T'" << got;
    EXPECT_DOUBLE_EQ(spans[1].start_s, 0.020) << "ch13.trace_end: step 1 starts at 20 ms" << got;
    EXPECT_DOUBLE_EQ(spans[1].end_s, 0.050) << "ch13.trace_end: step 1 ends at 50 ms" << got;
    // The sleep's timer (a plain callback at 150 ms), then the step it wakes.
    std::vector<aio::Tracer::Span> steps;
    for (const auto& span : spans)
        if (span.row == "w-1") steps.push_back(span);
    ASSERT_EQ(steps.size(), 2u) << "ch13.trace_span: the task ran two steps" << got;
    EXPECT_DOUBLE_EQ(steps[1].start_s, 0.150) << "ch13.trace_end: step 2 starts at 150 ms" << got;
    EXPECT_DOUBLE_EQ(steps[1].end_s, 0.160) << "ch13.trace_end: step 2 ends at 160 ms" << got;
    for (const auto& span : spans) {
        if (span.row == "callbacks") {
            EXPECT_EQ(span.kind, 'c')
                << "ch13.trace_span: every callback that ran no step stays 'c'" << got;
        }
    }
}

TEST(Tracer, TheTimelineDrawsEachSpanAndAnInstantOneAsAnEvent) {
    VirtualLoop v;
    aio::Tracer tracer(v.loop);
    v.loop.call_soon([&] { v.clock.advance(20ms); });
    auto task = aio::create_task(v.loop, worker(v.clock), "w-1");
    aio::run_until_complete(v.loop, aio::Future<void>(task));
    // What the timeline must hold, built from the spans by hand.
    aio::Timeline expected("trace");
    for (const auto& span : tracer.spans()) {
        if (span.end_s > span.start_s)
            expected.add_span(span.row, span.start_s, span.end_s, span.kind);
        else
            expected.add_event(span.row, span.start_s, span.kind);
    }
    aio::Timeline drawn = tracer.timeline("trace");
    EXPECT_EQ(drawn.to_ascii(), expected.to_ascii())
        << "ch13.trace_timeline: each span on its row with its kind as the mark; a span that "
           "took no time is an event. Expected:\n"
        << expected.to_ascii() << "got:\n"
        << drawn.to_ascii();
    EXPECT_EQ(drawn.to_svg(), expected.to_svg()) << "ch13.trace_timeline: the same as SVG";
}

TEST(Tracer, APlainCallbackIsASpanFromItsStartToItsEnd) {
    VirtualLoop v;
    v.clock.advance(1s); // the tracer's zero is when it is made, not the clock's start
    aio::Tracer tracer(v.loop);
    v.loop.call_soon([&] { v.clock.advance(20ms); });
    v.loop.call_soon([&] { v.loop.stop(); });
    v.loop.run_forever();
    const auto& spans = tracer.spans();
    std::string got = show(spans);
    ASSERT_EQ(spans.size(), 2u) << "ch13.trace_end: one span per callback run" << got;
    EXPECT_EQ(spans[0].row, "callbacks") << "ch13.trace_end: a plain callback's row" << got;
    EXPECT_DOUBLE_EQ(spans[0].start_s, 0.0) << "ch13.trace_end: from the tracer's zero" << got;
    EXPECT_DOUBLE_EQ(spans[0].end_s, 0.020)
        << "ch13.trace_end: it ends when it returns, on the loop's clock (20 ms)" << got;
    EXPECT_DOUBLE_EQ(spans[1].start_s, 0.020) << "ch13.trace_end: the next one starts there" << got;
    EXPECT_DOUBLE_EQ(spans[1].end_s, 0.020) << "ch13.trace_end: and takes no time" << got;
}
