// A given test (0 points): the state machine's invariant, "one state per
// future", is asserted in debug builds. A derived state that breaks the rules
// on purpose (as a buggy chapter 05 task could) trips the assert at once,
// instead of corrupting the future quietly.
#include <gtest/gtest.h>

#include <memory>

#include "future.hpp"

namespace {
// Test-only hook: finish() is protected, for derived states such as chapter
// 05's TaskState, which must check that the future is pending first.
struct FinishesTwice : aio::detail::FutureState<int> {
    using FutureState::FutureState;
    void finish_again() { finish(nullptr); }
};
} // namespace

TEST(FutureInvariants, FinishingADoneFutureTripsTheAssert) {
#ifdef NDEBUG
    GTEST_SKIP() << "assertions are compiled out (NDEBUG); build without it to see them";
#endif
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            aio::EventLoop loop;
            auto state = std::make_shared<FinishesTwice>(loop);
            state->set_result(1);
            state->finish_again(); // a second move out of PENDING
        },
        "one state per future")
        << "finish() on a done future must fail the assert that guards the state machine";
}
