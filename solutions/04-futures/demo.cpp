// Chapter 04 demo: one future's life, narrated pass by pass; then chapter 00's
// client as a chain of callbacks on the loop, timed and drawn as a timeline.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fetch.hpp"
#include "fetch_callbacks.hpp"
#include "future.hpp"
#include "slow_server.hpp"
#include "timeline.hpp"
#include "timing.hpp"

using namespace std::chrono_literals;

namespace {

const char* state_of(const aio::Future<int>& f) {
    return f.cancelled() ? "CANCELLED" : f.done() ? "FINISHED" : "PENDING";
}

void pass(aio::EventLoop& loop, int& number) {
    std::printf("-- loop pass %d\n", ++number);
    loop.call_soon([] {}); // keeps the pass from blocking when nothing else is ready
    loop.run_once();
}

// Part 1: callbacks are registered, the result is set, and only the NEXT pass
// of the loop runs them (call_soon), in registration order.
void narrate_a_future() {
    std::printf("== A future's life, narrated ==\n\n");
    aio::EventLoop loop;
    loop.set_exception_handler([](aio::EventLoop&, const aio::ExceptionContext& context) {
        std::printf("   exception handler: \"%s\"\n", context.message.c_str());
    });
    int passes = 0;
    aio::Future<int> f(loop);
    std::printf("new future: %s\n", state_of(f));
    f.add_done_callback(
        [](aio::Future<int> done) { std::printf("   ran: A, result %d\n", done.result()); });
    aio::CallbackId b = f.add_done_callback([](aio::Future<int>) { std::printf("   ran: B\n"); });
    f.add_done_callback([](aio::Future<int>) { std::printf("   ran: C\n"); });
    f.remove_done_callback(b);
    std::printf("added callbacks A, B, C; removed B (by its id %llu)\n",
                static_cast<unsigned long long>(b));
    try {
        (void)f.result();
    } catch (const aio::InvalidStateError& e) {
        std::printf("result() while PENDING: InvalidStateError \"%s\"\n", e.what());
    }
    f.set_result(42);
    std::printf("set_result(42): %s; no callback ran yet, they were handed to call_soon\n",
                state_of(f));
    pass(loop, passes);
    std::printf("cancel() on the FINISHED future returns %s\n", f.cancel() ? "true" : "false");
    f.add_done_callback([](aio::Future<int>) { std::printf("   ran: D (added after the end)\n"); });
    std::printf("added D to the done future: scheduled at once, still not run inline\n");
    pass(loop, passes);

    aio::Future<int> g(loop);
    g.cancel("the user pressed Ctrl-C");
    try {
        (void)g.result();
    } catch (const aio::CancelledError& e) {
        std::printf("\nanother future, cancel(msg): %s; result() throws CancelledError \"%s\"\n",
                    state_of(g), e.what());
    }
    std::printf("a third future fails and nobody looks at its exception; its last handle goes:\n");
    {
        aio::Future<int> h(loop);
        h.set_exception(std::make_exception_ptr(aio::ValueError("boom")));
    }
    std::printf("\n");
}

// Part 2: fetch_with_callbacks against the slow server. The loop's tracer sees
// every readiness event; the fds were opened in request order, so the n-th
// smallest fd is request n.
void callback_client(int requests, std::chrono::milliseconds delay) {
    std::printf("== Chapter 00's client as callbacks on the loop: %d requests, %lld ms each ==\n\n",
                requests, static_cast<long long>(delay.count()));
    looplab::SlowServer server({.delay = delay});
    std::vector<std::string> lines;
    for (int i = 0; i < requests; ++i)
        lines.push_back("request " + std::to_string(i));

    looplab::Stopwatch sequential_watch;
    aio::fetch_sequential(server.port(), lines);
    double sequential = sequential_watch.seconds();
    server.reset_stats();

    aio::EventLoop loop;
    const aio::TimePoint t0 = loop.time();
    std::map<int, std::vector<std::pair<double, unsigned>>> events_by_fd;
    loop.set_tracer([&](const aio::IterationTrace& trace) {
        double at = std::chrono::duration<double>(loop.time() - t0).count();
        for (const aio::ReadyEvent& event : trace.events)
            events_by_fd[event.fd].push_back({at, event.events});
    });
    looplab::Stopwatch watch;
    std::vector<std::string> answers = aio::fetch_with_callbacks(loop, server.port(), lines);
    double callbacks = watch.seconds();

    aio::Timeline timeline(
        "fetch_with_callbacks: > writable (connected; ready to send), < readable (answer)");
    int index = 0;
    for (const auto& [fd, events] : events_by_fd) {
        std::string row = "request " + std::to_string(index++);
        timeline.add_span(row, 0.0, events.back().first, '.');
        for (const auto& [at, what] : events)
            timeline.add_event(row, at, (what & aio::EVENT_WRITE) ? '>' : '<');
    }
    std::printf("%s\n", timeline.to_ascii().c_str());
    std::printf("answer 0: \"%s\", ... %zu answers in request order\n", answers.front().c_str(),
                answers.size());
    std::printf("the server held %d requests at once\n", server.peak_concurrency());
    std::printf("sequential (ch00) %.2f s · callbacks on the loop %.2f s · speedup x%.1f\n\n",
                sequential, callbacks, sequential / callbacks);
}

} // namespace

int main() {
    narrate_a_future();
    callback_client(10, 100ms);
    std::printf("The same client reads top to bottom in chapter 05, with coroutines.\n");
    return 0;
}
