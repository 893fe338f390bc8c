// A warm-up that needs no exercise: the slow server answers a line after its delay.
#include "client_checks.hpp"

namespace looplab {
namespace {

TEST(SlowServer, AnswersEachLineAfterItsDelay) {
    SlowServer server({.delay = std::chrono::milliseconds(100)});
    aio::UniqueFd connection = aio::connect_to(server.port());
    Stopwatch stopwatch;
    aio::send_all(connection.get(), "hello\n");
    std::string answer;
    char buffer[256];
    while (answer.find('\n') == std::string::npos) {
        ssize_t received = ::recv(connection.get(), buffer, sizeof buffer, 0);
        ASSERT_GT(received, 0) << "the server hung up";
        answer.append(buffer, static_cast<std::size_t>(received));
    }
    EXPECT_EQ(answer, SlowServer::answer_for("hello") + "\n")
        << "the server answers \"re: \" + line";
    EXPECT_GE(stopwatch.millis(), 90.0) << "the server waits its delay (100 ms) before answering";
    EXPECT_EQ(server.peak_concurrency(), 1) << "the server held this one request";
    EXPECT_EQ(server.requests_answered(), 1) << "the server answered this one request";
}

} // namespace
} // namespace looplab
