// Chapter 03 demo: three iterations of the loop, narrated; then what one
// blocking callback does to a timer, drawn as a timeline.
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>

#include <sys/socket.h>
#include <unistd.h>

#include "event_loop.hpp"
#include "timeline.hpp"

using namespace std::chrono_literals;

namespace {

double ms(aio::Duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

std::string describe_timeout(const std::optional<aio::Duration>& timeout) {
    if (!timeout) return "block (nothing ready, no timer)";
    if (*timeout == aio::Duration::zero()) return "0 ms (callbacks are ready: just look)";
    return std::to_string(static_cast<long>(ms(*timeout))) + " ms (until the next timer)";
}

std::string describe_events(const std::vector<aio::ReadyEvent>& events) {
    if (events.empty()) return "nothing";
    std::string text;
    for (const auto& event : events) {
        text += "fd " + std::to_string(event.fd);
        text += (event.events & aio::EVENT_READ) ? " readable" : "";
        text += (event.events & aio::EVENT_WRITE) ? " writable" : "";
        text += "; ";
    }
    return text.substr(0, text.size() - 2);
}

// Part 1: a callback that schedules another, a reader with data waiting, a timer
// 2 s away, on a VirtualClock so the third pass jumps instead of sleeping.
void narrate_three_iterations() {
    std::printf("== Three iterations of run_once, narrated ==\n\n");
    aio::VirtualClock clock;
    aio::EventLoop loop({.clock = &clock});
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return;
    const aio::TimePoint t0 = loop.time();

    // The tracer runs at the end of each pass, so the callbacks' own lines come first.
    loop.set_tracer([&](const aio::IterationTrace& trace) {
        std::printf("   queued at start:    %zu callback(s), before I/O and timers\n", trace.ready);
        std::printf("   select() timeout:   %s\n", describe_timeout(trace.timeout).c_str());
        std::printf("   select() returned:  %s\n", describe_events(trace.events).c_str());
        std::printf("   timers due:         %zu\n", trace.timers_due);
        std::printf("   callbacks run:      %zu\n\n", trace.ran);
    });
    loop.call_soon([&] {
        std::printf("   ran: A, which call_soon()s B (B waits for the next pass)\n");
        loop.call_soon([] { std::printf("   ran: B\n"); });
    });
    loop.add_reader(fds[0], [&] {
        char buffer[16];
        ssize_t n = ::read(fds[0], buffer, sizeof buffer);
        std::printf("   ran: reader of fd %d, read \"%.*s\"\n", fds[0], static_cast<int>(n),
                    buffer);
    });
    loop.call_later(2s, [&] {
        std::printf("   ran: the 2 s timer, at t = %.0f ms (virtual time)\n", ms(loop.time() - t0));
    });
    (void)::write(fds[1], "ping", 4);

    std::printf("Queued: A (call_soon), a reader on fd %d with \"ping\" waiting, a 2 s timer.\n"
                "Each pass prints what ran, then the loop's trace of the pass.\n\n",
                fds[0]);
    for (int pass = 1; pass <= 3; ++pass) {
        std::printf("-- pass %d, t = %.0f ms\n", pass, ms(loop.time() - t0));
        loop.run_once();
    }
    std::printf("Pass 3 would have slept 2 s; on the VirtualClock the loop jumped instead.\n\n");
    loop.remove_reader(fds[0]);
    ::close(fds[0]);
    ::close(fds[1]);
}

// Part 2: a 50 ms timer behind a callback that blocks for 300 ms, then the
// same 300 ms of work in ten 30 ms slices beside a 10 ms heartbeat.
void blocking_versus_sliced() {
    std::printf("== One thread: blocking work versus sliced work ==\n\n");
    aio::EventLoop loop;
    const aio::TimePoint t0 = loop.time();
    auto at = [&](aio::TimePoint t) { return std::chrono::duration<double>(t - t0).count(); };
    aio::Timeline timeline("A 50 ms timer behind a 300 ms blocking callback, then sliced work");

    loop.call_later(50ms, [&] {
        timeline.add_event("timer (due 50 ms)", at(loop.time()), '!');
        std::printf("   50 ms timer fired %.0f ms late\n", ms(loop.time() - t0 - 50ms));
        loop.stop();
    });
    timeline.add_event("timer (due 50 ms)", 0.050, '|');
    loop.call_soon([&] {
        aio::TimePoint start = loop.time();
        std::this_thread::sleep_for(300ms);
        timeline.add_span("blocking callback", at(start), at(loop.time()), '#');
    });
    loop.run_forever();

    const aio::TimePoint t1 = loop.time();
    double worst = 0;
    int slices = 0;
    bool done = false;
    std::function<void(aio::TimePoint)> beat = [&](aio::TimePoint due) {
        worst = std::max(worst, ms(loop.time() - due));
        timeline.add_event("heartbeat (10 ms)", at(loop.time()), '*');
        if (done) return loop.stop();
        aio::TimePoint next = loop.time() + 10ms;
        loop.call_at(next, [&, next] { beat(next); });
    };
    std::function<void()> slice = [&] {
        aio::TimePoint start = loop.time();
        std::this_thread::sleep_for(30ms);
        timeline.add_span("sliced work", at(start), at(loop.time()), '=');
        if (++slices < 10)
            loop.call_soon(slice);
        else
            done = true;
    };
    loop.call_at(t1 + 10ms, [&, t1] { beat(t1 + 10ms); });
    loop.call_soon(slice);
    loop.run_forever();
    std::printf("   ten 30 ms slices: the heartbeat's worst lag was %.0f ms\n\n", worst);
    std::printf("%s\n", timeline.to_ascii(72).c_str());
    std::printf("'|' the timer's deadline, '!' when it fired: nothing runs while '#' blocks.\n"
                "'=' slices yield with call_soon; '*' heartbeats fit between them.\n");
}

} // namespace

int main() {
    try {
        narrate_three_iterations();
        blocking_versus_sliced();
    } catch (const aio::NotImplemented& missing) {
        std::printf("\nThe demo needs %s: finish that exercise first (make check CH=03).\n",
                    missing.exercise().c_str());
        return 1;
    }
    return 0;
}
