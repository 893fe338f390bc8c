// The sequential client: right answers, one request at a time, clear errors.
#include "client_checks.hpp"

namespace looplab {
namespace {

TEST(Sequential, AnswersEachRequestInOrder) {
    expect_answers_in_order(aio::fetch_sequential);
}

TEST(Sequential, HoldsOneRequestAtATime) {
    SlowServer server({.delay = std::chrono::milliseconds(50)});
    std::vector<std::string> requests = numbered_requests(4);
    EXPECT_EQ(aio::fetch_sequential(server.port(), requests), expected_answers(requests));
    EXPECT_EQ(server.peak_concurrency(), 1)
        << "the sequential client sends a request only after the previous answer arrived";
    EXPECT_EQ(server.requests_answered(), 4);
}

TEST(Sequential, LongLinesArriveWhole) {
    expect_long_line_whole(aio::fetch_sequential, "fetch_sequential", 1);
}

TEST(Sequential, RefusedConnectionNamesConnect) {
    expect_connect_error(aio::fetch_sequential);
}

TEST(Sequential, ServerClosingMidAnswerIsAnError) {
    expect_closed_mid_answer_error(aio::fetch_sequential, "fetch_sequential");
}

} // namespace
} // namespace looplab
