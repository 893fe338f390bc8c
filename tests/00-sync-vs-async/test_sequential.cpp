// fetch_one on its own, then the sequential client: right answers, one request at
// a time, clear errors.
#include "client_checks.hpp"

namespace looplab {
namespace {

// fetch_one on every request, each on its own port call: one request per client call.
std::vector<std::string> fetch_each_alone(std::uint16_t port,
                                          const std::vector<std::string>& requests) {
    std::vector<std::string> answers;
    for (std::size_t i = 0; i < requests.size(); ++i)
        answers.push_back(aio::fetch_one(port, requests[i], i));
    return answers;
}

TEST(FetchOne, AnswersOneRequestWithoutTheNewline) {
    SlowServer server({.delay = std::chrono::milliseconds(20)});
    EXPECT_EQ(aio::fetch_one(server.port(), "hello"), SlowServer::answer_for("hello"))
        << "ch00.fetch_one: send the line with its newline, read up to the newline, return the "
           "answer without it";
    EXPECT_EQ(aio::fetch_one(server.port(), "", 4), SlowServer::answer_for(""))
        << "ch00.fetch_one: an empty request is a line too";
    EXPECT_EQ(server.requests_answered(), 2) << "ch00.fetch_one: one request per call";
}

TEST(FetchOne, LongAnswersArriveInPieces) {
    expect_long_line_whole(fetch_each_alone, "fetch_one", 1, "ch00.fetch_one");
}

TEST(FetchOne, RefusedConnectionNamesConnect) {
    expect_connect_error(fetch_each_alone, "ch00.fetch_one");
}

TEST(FetchOne, ServerClosingMidAnswerIsAnError) {
    expect_closed_mid_answer_error(fetch_each_alone, "fetch_one", "ch00.fetch_one");
}

TEST(FetchOne, ASignalDuringTheWaitIsNotAnError) {
    SlowServer server({.delay = std::chrono::milliseconds(300)});
    std::string answer;
    try {
        answer = with_signals([&] { return aio::fetch_one(server.port(), "hello", 0); });
    } catch (const aio::NotImplemented&) {
        throw;
    } catch (const std::exception& error) {
        FAIL() << "ch00.fetch_one: signals arrived while recv() waited: EINTR means \"wait "
                  "again\", not an error; got: "
               << error.what();
    }
    EXPECT_EQ(answer, SlowServer::answer_for("hello"))
        << "ch00.fetch_one: after an interrupted recv(), keep reading until the newline";
}

TEST(Sequential, AnswersEachRequestInOrder) {
    expect_answers_in_order(aio::fetch_sequential, "ch00.sequential");
}

TEST(Sequential, HoldsOneRequestAtATime) {
    SlowServer server({.delay = std::chrono::milliseconds(50)});
    std::vector<std::string> requests = numbered_requests(4);
    EXPECT_EQ(aio::fetch_sequential(server.port(), requests), expected_answers(requests))
        << "ch00.sequential: one answer per request, in request order";
    EXPECT_EQ(server.peak_concurrency(), 1)
        << "ch00.sequential: send a request only after the previous answer arrived";
    EXPECT_EQ(server.requests_answered(), 4) << "ch00.sequential: every request answered once";
}

TEST(Sequential, ErrorsReachTheCaller) {
    expect_connect_error(aio::fetch_sequential, "ch00.sequential");
    expect_closed_mid_answer_error(aio::fetch_sequential, "fetch_sequential", "ch00.sequential");
}

} // namespace
} // namespace looplab
