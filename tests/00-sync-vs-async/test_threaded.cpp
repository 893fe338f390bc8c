// The threaded client: right answers, every request in flight at once, clear errors.
#include "client_checks.hpp"

namespace looplab {
namespace {

TEST(Threaded, AnswersEachRequestInOrder) {
    expect_answers_in_order(aio::fetch_threaded, "ch00.threaded");
}

TEST(Threaded, SendsEveryRequestAtOnce) {
    expect_all_held_at_once(aio::fetch_threaded, 20, "ch00.threaded");
}

TEST(Threaded, RefusedConnectionNamesConnect) {
    expect_connect_error(aio::fetch_threaded, "ch00.threaded");
}

TEST(Threaded, ServerClosingMidAnswerIsAnError) {
    expect_closed_mid_answer_error(aio::fetch_threaded, "fetch_threaded", "ch00.threaded");
}

} // namespace
} // namespace looplab
