// Chapter 13 demo: a program with a blocking call hidden in it. The performance
// monitor times each kind of operation; the lag monitor shows the loop stopped
// answering, and when; debug mode names the step that blocked, and the
// tracer draws every callback and step. Then a gather that hangs, and the
// task tree that shows why. All on a virtual clock, so the figures are exact and the picture
// (diagrams/13-loop-lag.svg) is the same on every machine.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "combinators.hpp"
#include "debugging.hpp"
#include "locks.hpp"
#include "task.hpp"
#include "timeline.hpp"

namespace {

using namespace std::chrono_literals;

constexpr auto heartbeat = 10ms;

aio::VirtualClock* virtual_clock = nullptr; // the demo's clock: "blocking" advances it

double seconds_since_start(aio::TimePoint when) {
    return std::chrono::duration<double>(when - aio::VirtualClock::start_time).count();
}

// A fake download: waits `delay` on the loop, like a network round trip.
aio::Coro<int> fetch(aio::Duration delay, int size) {
    co_await aio::sleep(delay);
    co_return size;
}

// A parser with a bug: it blocks the loop for 100 ms (a synchronous call
// hidden in a coroutine). On a virtual clock, blocking is advancing time.
aio::Coro<int> parse(int size) {
    virtual_clock->advance(100ms);
    co_return size / 2;
}

aio::Coro<void> crawl(aio::Monitor& monitor) {
    for (int i = 0; i < 4; ++i) {
        int size = co_await monitor.monitored("fetch", fetch((10 + 7 * i) * 1ms, 1000 + i));
        if (i == 1) co_await monitor.monitored("parse", parse(size));
        co_await aio::sleep(5ms);
    }
}

// The hung gather: two workers, one of which waits for an event nobody sets.
aio::Coro<void> wait_for_go(aio::Event& go) {
    co_await go.wait();
}
aio::Coro<void> worker(aio::Event& go, bool stuck) {
    co_await aio::sleep(10ms);
    if (stuck) co_await wait_for_go(go);
}
aio::Coro<void> gather_workers(aio::Event& go) {
    std::vector<aio::Task<void>> workers;
    workers.push_back(aio::create_task(worker(go, false), "worker-1"));
    workers.push_back(aio::create_task(worker(go, true), "worker-2"));
    co_await aio::gather(workers);
}

void show_hung_gather() {
    aio::Event go; // before the loop: frames still waiting at the end point into it
    aio::VirtualClock clock;
    aio::EventLoop loop(aio::LoopOptions{.clock = &clock});
    auto main_task = aio::create_task(loop, gather_workers(go), "main");
    loop.call_later(1s, [&loop] { loop.stop(); });
    loop.run_forever();
    std::printf(
        "\nA gather that never ends: after 1 s, the task tree (python -m asyncio pstree):\n\n%s",
        aio::format_task_tree(loop).c_str());
    std::printf("\nworker-2 waits in wait_for_go on a future that is no task: the Event nobody "
                "sets.\nmain awaits the gather's future; the gathered tasks are roots of their "
                "own.\n\nThe loop's end drops the tasks still pending, and says so:\n");
    std::fflush(stdout); // the report goes to stderr: keep the order on a terminal
}

std::filesystem::path timeline_dir() {
    const char* dir = std::getenv("LOOPLAB_TIMELINE_DIR");
    return dir != nullptr && *dir != '\0' ? dir : "build/timelines";
}

// The heartbeat's picture: each beat as an event where it ran, its lag as a
// span from its due time; beat k+1 is due one interval after beat k ran.
aio::Timeline draw(const aio::LagMonitor& lag) {
    aio::Timeline timeline("loop lag: a heartbeat every 10 ms, a 100 ms blocking call");
    double due = std::chrono::duration<double>(heartbeat).count();
    for (aio::Duration late : lag.lags()) {
        double ran = due + std::chrono::duration<double>(late).count();
        if (late > aio::Duration::zero()) timeline.add_span("lag", due, ran, '!');
        timeline.add_event("heartbeat", ran, '|');
        due = ran + std::chrono::duration<double>(heartbeat).count();
    }
    return timeline;
}

// Both pictures of the run: the heartbeat's lag, and what the tracer recorded
// (make diagrams writes them into diagrams/).
void save(const aio::Timeline& lag, const aio::Timeline& trace) {
    std::filesystem::path dir = timeline_dir();
    try {
        std::filesystem::create_directories(dir);
        lag.save_svg((dir / "13-loop-lag.svg").string());
        std::ofstream(dir / "13-loop-lag.txt") << lag.to_ascii();
        trace.save_svg((dir / "13-trace.svg").string());
        std::ofstream(dir / "13-trace.txt") << trace.to_ascii();
        std::printf("\nwrote this run's timelines to %s/13-loop-lag.svg and 13-trace.svg (and "
                    ".txt)\n",
                    dir.c_str());
    } catch (const std::exception& error) {
        std::printf("\n(could not write the timeline: %s)\n", error.what());
    }
}

} // namespace

int main() {
    aio::VirtualClock clock;
    virtual_clock = &clock;
    aio::EventLoop loop(aio::LoopOptions{.clock = &clock});
    aio::Monitor monitor;
    aio::LagMonitor lag(loop, heartbeat);
    std::string debug_reports;
    loop.set_exception_handler([&debug_reports](aio::EventLoop&, const aio::ExceptionContext& c) {
        debug_reports += "  " + c.message + "\n";
    });
    aio::Timeline trace("");
    {
        aio::DebugMode debug(loop); // before the task: it keeps where the task was created
        aio::Tracer tracer(loop);
        auto main_task = aio::create_task(loop, crawl(monitor), "crawl");
        aio::run_until_complete(loop, aio::Future<void>(main_task));
        trace = tracer.timeline("the tracer: every callback and task step (T a step of crawl, c "
                                "another callback)");
    }
    lag.stop();

    std::printf("Chapter 13: four fetches and one parse, watched (virtual clock: exact)\n\n");
    std::printf("%s\n", monitor.table().c_str());
    std::printf("as JSON: %s\n\n", monitor.to_json().c_str());
    auto ms = [](aio::Duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
    std::printf("loop lag over %zu beats: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", lag.samples(),
                ms(lag.p50()), ms(lag.p99()), ms(lag.max()));
    std::printf(
        "the run took %.3f s of loop time. 'parse' took %.0f ms and the worst lag, %.0f ms,\n"
        "falls inside it: the parser blocks the loop.\n\n",
        seconds_since_start(loop.time()), ms(monitor.stats("parse").max), ms(lag.max()));
    aio::Timeline timeline = draw(lag);
    std::printf("%s", timeline.to_ascii().c_str());
    save(timeline, trace);
    std::printf("\nDebug mode (DebugMode) names the step that blocked, and where its task was "
                "created:\n%s\n%s",
                debug_reports.c_str(), trace.to_ascii().c_str());
    show_hung_gather();
}
