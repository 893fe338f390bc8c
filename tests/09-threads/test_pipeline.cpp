// Graded tests, the bounded fan-out and the file pipeline (file_pipeline.cpp).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "clock.hpp"
#include "file_pipeline.hpp"
#include "threads_test_helpers.hpp"

using aio::Coro;
using aio::EventLoop;
using aio::FileJob;
using aio::FileOutcome;
using looplab::run_in_task;
using looplab::ScratchDir;
using namespace std::chrono_literals;

namespace {
// Counts how many bodies are inside at once (loop thread only: plain ints).
struct Occupancy {
    int inside = 0;
    int peak = 0;
    int started = 0;
    std::vector<std::size_t> done;
};

Coro<void> occupy(Occupancy& occupancy, std::size_t index) {
    ++occupancy.started;
    occupancy.peak = std::max(occupancy.peak, ++occupancy.inside);
    co_await aio::sleep(10ms);
    --occupancy.inside;
    occupancy.done.push_back(index);
}

Coro<void> failing_or_occupying(Occupancy& occupancy, std::size_t index) {
    if (index == 0) throw std::runtime_error("body 0 failed"); // the first worker fails first
    co_await occupy(occupancy, index);
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

Coro<std::string> shout(std::string text) {
    for (char& c : text)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    co_return text;
}
} // namespace

TEST(Bounded, RunsEveryBodyWithAtMostLimitAtOnce) {
    aio::VirtualClock clock;
    EventLoop loop(aio::LoopOptions{.clock = &clock});
    Occupancy occupancy;
    auto body = [&occupancy](std::size_t index) { return occupy(occupancy, index); };
    run_in_task(loop, aio::for_each_bounded(10, 3, std::move(body)));
    EXPECT_EQ(occupancy.done.size(), 10u) << "ch09.fan_out: every body runs once";
    EXPECT_EQ(occupancy.peak, 3) << "ch09.fan_out: 10 bodies, limit 3: exactly 3 at once";
    EXPECT_EQ(clock.now() - aio::VirtualClock::start_time, 40ms)
        << "ch09.fan_out: 10 bodies of 10 ms, 3 at a time, take 4 rounds";
}

TEST(Bounded, ABodysErrorIsRethrownAfterTheOthersFinish) {
    aio::VirtualClock clock;
    EventLoop loop(aio::LoopOptions{.clock = &clock});
    Occupancy occupancy;
    auto body = [&occupancy](std::size_t index) { return failing_or_occupying(occupancy, index); };
    EXPECT_THROW(run_in_task(loop, aio::for_each_bounded(6, 2, std::move(body))),
                 std::runtime_error)
        << "ch09.fan_out: a body's exception comes out of for_each_bounded";
    EXPECT_EQ(occupancy.done.size(), 5u)
        << "ch09.fan_out: the other bodies still ran to the end before it was rethrown";
}

namespace {
// Ten bodies of 10 ms, three at a time, cancelled at 15 ms: in the second round.
Coro<std::string> cancel_in_the_second_round(Occupancy& occupancy) {
    auto body = [&occupancy](std::size_t index) { return occupy(occupancy, index); };
    aio::Task<void> fan_out = aio::create_task(aio::for_each_bounded(10, 3, std::move(body)));
    co_await aio::sleep(15ms);
    fan_out.cancel();
    std::string outcome = "finished without an error";
    try {
        co_await fan_out;
    } catch (const aio::CancelledError&) {
        outcome = "CancelledError";
    } catch (const std::exception& e) {
        outcome = std::string("an error: ") + e.what();
    }
    co_await aio::sleep(100ms); // time enough for any body left behind to run
    co_return outcome;
}
} // namespace

TEST(Bounded, CancellingItCancelsTheBodiesStillRunning) {
    aio::VirtualClock clock;
    EventLoop loop(aio::LoopOptions{.clock = &clock});
    Occupancy occupancy;
    EXPECT_EQ(run_in_task(loop, cancel_in_the_second_round(occupancy)), "CancelledError")
        << "ch09.fan_out: a cancelled for_each_bounded ends in CancelledError";
    EXPECT_EQ(occupancy.started, 6)
        << "ch09.fan_out: no body starts after the cancel (3 ran, 3 were running)";
    EXPECT_EQ(occupancy.done.size(), 3u)
        << "ch09.fan_out: the 3 bodies running at the cancel are cancelled, not finished: "
           "workers left alone go on draining for nobody";
}

TEST(Bounded, ALimitOfZeroIsAValueError) {
    EventLoop loop;
    auto body = [](std::size_t) -> Coro<void> { co_return; };
    EXPECT_THROW(run_in_task(loop, aio::for_each_bounded(3, 0, std::move(body))), aio::ValueError)
        << "limit 0 would never run anything";
}

TEST(Pipeline, TransformsEveryFileAndWritesTheResults) {
    ScratchDir dir;
    std::vector<FileJob> jobs;
    for (int i = 0; i < 8; ++i) {
        std::ofstream(dir.file("in" + std::to_string(i))) << "file number " << i;
        jobs.push_back({dir.file("in" + std::to_string(i)), dir.file("out" + std::to_string(i))});
    }
    EventLoop loop;
    std::vector<FileOutcome> outcomes = run_in_task(loop, aio::process_files(jobs, shout, 3));
    ASSERT_EQ(outcomes.size(), 8u) << "one outcome per job";
    for (int i = 0; i < 8; ++i) {
        EXPECT_TRUE(outcomes[i].ok()) << "ch09.job: job " << i << " failed: " << outcomes[i].error;
        EXPECT_EQ(outcomes[i].input, jobs[i].input) << "outcomes come in job order";
        EXPECT_EQ(slurp(jobs[i].output), "FILE NUMBER " + std::to_string(i))
            << "ch09.job: the output holds the transformed input";
    }
}

namespace {
Coro<std::string> throw_without_a_message(std::string) {
    throw std::runtime_error("");
    co_return "";
}
} // namespace

TEST(Pipeline, AnExceptionWithAnEmptyMessageIsStillAFailure) {
    ScratchDir dir;
    std::ofstream(dir.file("in")) << "text";
    EventLoop loop;
    std::vector<FileJob> jobs{{dir.file("in"), dir.file("out")}};
    std::vector<FileOutcome> outcomes =
        run_in_task(loop, aio::process_files(jobs, throw_without_a_message, 1));
    ASSERT_EQ(outcomes.size(), 1u) << "one outcome per job";
    EXPECT_FALSE(outcomes[0].ok())
        << "ch09.job: a transform that threw is a failed job, even when what() is empty";
}

TEST(Pipeline, AMissingFileIsAClearErrorAndTheOthersFinish) {
    ScratchDir dir;
    std::vector<FileJob> jobs;
    for (int i = 0; i < 5; ++i) {
        if (i != 2) std::ofstream(dir.file("in" + std::to_string(i))) << "text " << i;
        jobs.push_back({dir.file("in" + std::to_string(i)), dir.file("out" + std::to_string(i))});
    }
    EventLoop loop;
    std::vector<FileOutcome> outcomes = run_in_task(loop, aio::process_files(jobs, shout, 2));
    ASSERT_EQ(outcomes.size(), 5u) << "one outcome per job, the failed one included";
    EXPECT_FALSE(outcomes[2].ok()) << "ch09.job: the missing input is reported in its outcome";
    EXPECT_NE(outcomes[2].error.find("No such file"), std::string::npos)
        << "ch09.job: the error says what went wrong: " << outcomes[2].error;
    EXPECT_NE(outcomes[2].error.find(jobs[2].input), std::string::npos)
        << "ch09.job: the error names the file: " << outcomes[2].error;
    for (int i : {0, 1, 3, 4})
        EXPECT_EQ(slurp(jobs[i].output), "TEXT " + std::to_string(i))
            << "ch09.job: the other files still finish";
}

TEST(Pipeline, AtMostMaxInFlightJobsAreBetweenReadAndWrite) {
    ScratchDir dir;
    std::vector<FileJob> jobs;
    for (int i = 0; i < 9; ++i) {
        std::ofstream(dir.file("in" + std::to_string(i))) << "x";
        jobs.push_back({dir.file("in" + std::to_string(i)), dir.file("out" + std::to_string(i))});
    }
    int inside = 0, peak = 0;
    // The transform awaits (a slow service, say): jobs pile up here unless bounded.
    auto slow_transform = [&inside, &peak](std::string text) -> Coro<std::string> {
        peak = std::max(peak, ++inside);
        co_await aio::sleep(20ms);
        --inside;
        co_return text + "!";
    };
    EventLoop loop;
    std::vector<FileOutcome> outcomes =
        run_in_task(loop, aio::process_files(jobs, slow_transform, 4));
    EXPECT_EQ(peak, 4) << "ch09.job: 9 jobs, max_in_flight 4: exactly 4 in the transform at once";
    for (const FileOutcome& outcome : outcomes)
        EXPECT_TRUE(outcome.ok()) << "ch09.job: " << outcome.error;
}
