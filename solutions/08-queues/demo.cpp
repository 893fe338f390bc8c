// Chapter 08 demo: a fast producer and two slow consumers around a Queue of
// 10, with a live one-line view of the queue filling and draining (redrawn
// in place on a terminal, one plain line per change otherwise).
#include <chrono>
#include <cstdio>
#include <string>

#include <unistd.h>

#include "queues.hpp"

using namespace std::chrono_literals;

namespace {

constexpr std::size_t capacity = 10;
constexpr int items = 40;

struct View {
    aio::Queue<int>& queue;
    bool live = isatty(STDOUT_FILENO) != 0;
    int put = 0;
    int got = 0;
    int producer_waits = 0;
    aio::TimePoint start = aio::Clock::now();

    void draw(const char* event) {
        std::size_t size = queue.qsize();
        std::string bar(size, '#');
        bar.resize(capacity, '.');
        double ms = std::chrono::duration<double, std::milli>(aio::Clock::now() - start).count();
        std::printf("%s%6.0f ms  [%s] %2zu/%zu  put %2d  got %2d  %-22s%s", live ? "\r" : "", ms,
                    bar.c_str(), size, capacity, put, got, event, live ? "" : "\n");
        std::fflush(stdout);
    }
};

aio::Coro<void> producer(View& view) {
    for (int i = 0; i < items; ++i) {
        if (view.queue.full()) {
            ++view.producer_waits;
            view.draw("full: producer waits");
        }
        co_await view.queue.put(i);
        ++view.put;
        view.draw(i < 25 ? "producer puts (fast)" : "producer puts (slow)");
        co_await aio::sleep(i < 25 ? 20ms : 150ms); // a burst, then a trickle
    }
}

aio::Coro<void> consumer(View& view) {
    for (;;) {
        if (view.queue.empty()) view.draw("empty: consumers wait");
        bool open = true;
        try {
            co_await view.queue.get();
        } catch (const aio::QueueShutDown&) {
            open = false; // shut down and drained: this consumer is done
        }
        if (!open) break;
        ++view.got;
        view.draw("consumer takes");
        co_await aio::sleep(110ms);
        view.queue.task_done();
    }
}

aio::Coro<void> show() {
    aio::Queue<int> queue(capacity);
    View view{queue};
    std::printf("A Queue(%zu): a producer putting %d items (a burst every 20 ms, then one\n"
                "every 150 ms), two consumers taking one every 110 ms each.%s\n\n",
                capacity, items, view.live ? "" : " (not a terminal: one line per change)");
    aio::Task<void> first = aio::create_task(consumer(view));
    aio::Task<void> second = aio::create_task(consumer(view));
    co_await producer(view);
    co_await queue.join(); // every item taken AND marked done
    queue.shutdown();      // the consumers end on QueueShutDown: no sentinel needed
    co_await first;
    co_await second;
    std::printf("%s\nall %d items processed; the producer waited on a full queue %d times\n",
                view.live ? "\n" : "", view.got, view.producer_waits);
}

} // namespace

int main() {
    aio::run(show());
}
