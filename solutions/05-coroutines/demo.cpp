// Chapter 05 demo: five downloads written three ways (sequential, callbacks,
// coroutines), timed and drawn on one timeline; then one co_await traced step
// by step: who suspends, who schedules whom, who resumes.
//
// The sequential rows time fetch_one in a loop (fetch_sequential); the callback
// rows come from fetch_with_callbacks, which only says when all five are in, so
// they end together; the coroutine rows time each fetch_one_async in a task of
// its own, which is what fetch_with_coroutines does.
#include <chrono>
#include <coroutine>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "fetch.hpp"
#include "fetch_callbacks.hpp"
#include "fetch_coroutines.hpp"
#include "slow_server.hpp"
#include "task.hpp"
#include "timeline.hpp"

namespace {

using namespace std::chrono_literals;
using aio::Clock;

constexpr int download_count = 5;
constexpr auto delay = 200ms;
// Where the run's timeline goes: $LOOPLAB_TIMELINE_DIR, else build/timelines.
// Never diagrams/: the committed figure stays as it is.
std::filesystem::path timeline_dir() {
    const char* dir = std::getenv("LOOPLAB_TIMELINE_DIR");
    return dir != nullptr && *dir != '\0' ? dir : "build/timelines";
}

double since(Clock::time_point zero) {
    return std::chrono::duration<double>(Clock::now() - zero).count();
}

double run_sequential(std::uint16_t port, const std::vector<std::string>& requests,
                      aio::Timeline& timeline) {
    Clock::time_point zero = Clock::now();
    for (std::size_t i = 0; i < requests.size(); ++i) {
        double start = since(zero);
        aio::fetch_one(port, requests[i], i);
        timeline.add_span("sequential " + std::to_string(i), start, since(zero), '#');
    }
    return since(zero);
}

double run_callbacks(std::uint16_t port, const std::vector<std::string>& requests,
                     aio::Timeline& timeline) {
    aio::EventLoop loop;
    Clock::time_point zero = Clock::now();
    aio::fetch_with_callbacks(loop, port, requests);
    double total = since(zero);
    for (std::size_t i = 0; i < requests.size(); ++i)
        timeline.add_span("callbacks " + std::to_string(i), 0.0, total, '=');
    return total;
}

// One download, read top to bottom. The timeline is passed by reference: safe
// only because it outlives run(); the strings are copies (see the pitfalls).
aio::Coro<void> timed_download(std::uint16_t port, std::string request, std::size_t i,
                               Clock::time_point zero, aio::Timeline& timeline) {
    double start = since(zero);
    co_await aio::fetch_one_async(port, std::move(request), i);
    timeline.add_span("coroutines " + std::to_string(i), start, since(zero), '~');
}

aio::Coro<void> download_all(std::uint16_t port, std::vector<std::string> requests,
                             aio::Timeline& timeline) {
    Clock::time_point zero = Clock::now();
    std::vector<aio::Task<void>> tasks;
    for (std::size_t i = 0; i < requests.size(); ++i)
        tasks.push_back(aio::create_task(timed_download(port, requests[i], i, zero, timeline)));
    for (aio::Task<void>& task : tasks)
        co_await task; // the tasks already run side by side; this only collects them
}

double run_coroutines(std::uint16_t port, const std::vector<std::string>& requests,
                      aio::Timeline& timeline) {
    Clock::time_point zero = Clock::now();
    aio::run(download_all(port, requests, timeline));
    return since(zero);
}

void save(const aio::Timeline& timeline) {
    std::filesystem::path dir = timeline_dir();
    std::filesystem::path svg = dir / "05-downloads-timeline.svg";
    std::filesystem::path text = dir / "05-downloads-timeline.txt";
    try {
        std::filesystem::create_directories(dir);
        timeline.save_svg(svg.string());
        std::ofstream(text) << timeline.to_ascii();
        std::printf("wrote %s and %s\n\n", svg.c_str(), text.c_str());
    } catch (const std::exception& error) {
        std::printf("(could not write %s: %s)\n\n", svg.c_str(), error.what());
    }
}

// Lines of code (not blank, not a comment) of one source file; -1 if unreadable.
int code_lines(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) return -1;
    int count = 0;
    for (std::string line; std::getline(in, line);) {
        std::size_t first = line.find_first_not_of(" \t");
        if (first != std::string::npos && line.compare(first, 2, "//") != 0) ++count;
    }
    return count;
}

// The two concurrent clients take the same time (their bars match): what
// differs is the code. Counted in the sources beside this demo's own file.
void code_sizes() {
    std::filesystem::path chapters = std::filesystem::path(__FILE__).parent_path().parent_path();
    std::filesystem::path callbacks = chapters / "04-futures" / "fetch_callbacks.cpp";
    std::filesystem::path coroutines = chapters / "05-coroutines" / "fetch_coroutines.cpp";
    int callback_lines = code_lines(callbacks);
    int coroutine_lines = code_lines(coroutines);
    if (callback_lines < 0 || coroutine_lines < 0) {
        std::printf("(run the demo from the repository root to compare the clients' code)\n\n");
        return;
    }
    std::printf("Same speed, different code (lines of code, comments and blank lines left out):\n");
    std::printf("  %-11s %4d lines   %s\n", "callbacks", callback_lines, callbacks.c_str());
    std::printf("  %-11s %4d lines   %s\n\n", "coroutines", coroutine_lines, coroutines.c_str());
}

void three_ways() {
    looplab::SlowServer server({.delay = delay});
    std::vector<std::string> requests;
    for (int i = 0; i < download_count; ++i)
        requests.push_back("download " + std::to_string(i));
    aio::Timeline timeline("5 downloads of 200 ms: sequential, callbacks, coroutines");
    std::printf("== Five downloads, three ways (the server answers each after %lld ms) ==\n\n",
                static_cast<long long>(delay.count()));
    struct Way {
        const char* name;
        double (*run)(std::uint16_t, const std::vector<std::string>&, aio::Timeline&);
    };
    double sequential = 0;
    for (Way way : {Way{"sequential", run_sequential}, Way{"callbacks", run_callbacks},
                    Way{"coroutines", run_coroutines}}) {
        server.reset_stats();
        double seconds = way.run(server.port(), requests, timeline);
        if (sequential == 0) sequential = seconds;
        std::printf("  %-11s %5.2f s   server held at most %d at once   speedup x%.1f\n", way.name,
                    seconds, server.peak_concurrency(), sequential / seconds);
    }
    std::printf("\n%s\n", timeline.to_ascii().c_str());
    save(timeline);
    code_sizes();
}

// ---- Part 2: one co_await, traced. TracedAwaiter wraps the awaiter that a
// plain `co_await f` uses (detail::FutureAwaiter) and prints each call the
// compiler makes; the loop's tracer closes each pass. t: virtual time.
void say(const char* who, const std::string& what) {
    double t = std::chrono::duration<double, std::milli>(aio::get_running_loop().time() -
                                                         aio::VirtualClock::start_time)
                   .count();
    std::printf("  t=%2.0f ms  %-8s %s\n", t, who, what.c_str());
}

template <class T>
class TracedAwaiter {
public:
    explicit TracedAwaiter(aio::Future<T> future) : inner_(std::move(future)) {}
    bool await_ready() {
        bool ready = inner_.await_ready();
        say("awaiter", ready ? "await_ready() = true: done already, no suspension"
                             : "await_ready() = false: the future is pending, suspend");
        return ready;
    }
    template <class P>
    void await_suspend(std::coroutine_handle<P> frame) {
        inner_.await_suspend(frame);
        say("awaiter", "await_suspend(frame): tells the task's frame stack \"I wait for f\"");
        say("task", "the trampoline returns to step(), which subscribes wakeup() to f");
        say("", "and returns to the loop: the task is WAITING on f, nothing is scheduled");
    }
    T await_resume() {
        say("task", "wakeup(): the task forgets f (done), is SCHEDULED, and steps at once");
        say("task", "step(): RUNNING, the trampoline resumes the frame (current_task() = " +
                        aio::current_task()->get_name() + ")");
        say("awaiter", "await_resume(): returns f.result() as the value of the co_await");
        return inner_.await_resume();
    }

private:
    aio::detail::FutureAwaiter<T> inner_;
};

aio::Coro<void> worker(aio::Future<int> f) {
    say("worker",
        "step 1 runs (CREATED -> RUNNING); current_task() = " + aio::current_task()->get_name());
    say("worker", "co_await f");
    int answer = co_await TracedAwaiter<int>(f);
    say("worker", "got " + std::to_string(answer) + "; co_return ends the task");
}

void one_co_await() {
    std::printf("== One co_await, step by step (virtual clock: the 50 ms pass is instant) ==\n\n");
    aio::VirtualClock clock;
    aio::EventLoop loop({.clock = &clock});
    int pass = 0;
    loop.set_tracer([&](const aio::IterationTrace& trace) {
        std::printf("  -- pass %d done: %zu ready at the start, %zu timer(s) due, %zu run\n\n",
                    pass, trace.ready, trace.timers_due, trace.ran);
    });
    aio::Future<int> f(loop);
    loop.call_later(50ms, [f]() mutable {
        say("timer", std::string("outside any task (current_task() = ") +
                         (aio::current_task() ? "a task" : "none") + "): f.set_result(42)");
        f.set_result(42);
        say("future", "f is done: its done callback wakeup() goes to call_soon (next pass)");
    });
    aio::Task<void> task = aio::create_task(loop, worker(f), "worker");
    std::printf("  t= 0 ms  main     create_task(worker): step 1 queued with call_soon; "
                "nothing ran yet\n\n");
    while (!task.done()) {
        std::printf("  -- pass %d\n", ++pass);
        loop.run_once();
    }
    task.result();
    std::printf("The task's own future is done: whoever awaited it would be woken the same way.\n");
}

} // namespace

int main() {
    try {
        three_ways();
        one_co_await();
    } catch (const aio::NotImplemented& missing) {
        std::printf("The demo needs %s: finish that exercise first (make check CH=05).\n",
                    missing.exercise().c_str());
        return 1;
    }
    return 0;
}
