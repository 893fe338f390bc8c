// Chapter 07 demo: the race that needs no threads, fixed by a Lock; then a
// Semaphore(3) letting 9 jobs through three at a time, with a line per event.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "locks.hpp"
#include "race.hpp"

using namespace std::chrono_literals;

namespace {

constexpr int tasks = 10;
constexpr int rounds = 100;

void show_race() {
    std::printf("1. The race without threads: %d tasks x %d increments each,\n"
                "   with a co_await between reading the counter and writing it back\n\n",
                tasks, rounds);
    int unlocked = aio::count_updates(tasks, rounds, false);
    int locked = aio::count_updates(tasks, rounds, true);
    std::printf("   without a lock   counter = %5d   (expected %d: %d updates lost)\n", unlocked,
                tasks * rounds, tasks * rounds - unlocked);
    std::printf("   with a Lock      counter = %5d   (expected %d: %d updates lost)\n\n", locked,
                tasks * rounds, tasks * rounds - locked);
}

struct Board {
    aio::TimePoint start = aio::Clock::now();
    int inside = 0;
    int peak = 0;
    void line(int job, const char* what) {
        double ms = std::chrono::duration<double, std::milli>(aio::Clock::now() - start).count();
        std::printf("   %6.0f ms  job %d %-6s  inside: %-3s %s\n", ms, job, what,
                    std::string(static_cast<std::size_t>(inside), '#').c_str(),
                    inside == 3 ? "(full: the others wait in FIFO order)" : "");
    }
};

aio::Coro<void> job(aio::Semaphore& limit, Board& board, int number) {
    aio::Guard held = co_await limit.guard();
    board.peak = std::max(board.peak, ++board.inside);
    board.line(number, "enters");
    co_await aio::sleep(200ms);
    --board.inside;
    board.line(number, "leaves");
}

aio::Coro<void> show_semaphore() {
    std::printf("2. Semaphore(3): 9 jobs of 200 ms, at most 3 inside at once\n\n");
    aio::Semaphore limit(3);
    Board board;
    std::vector<aio::Task<void>> jobs;
    for (int i = 1; i <= 9; ++i)
        jobs.push_back(aio::create_task(job(limit, board, i)));
    for (aio::Task<void>& each : jobs)
        co_await each;
    std::printf("\n   peak inside: %d · 9 jobs in three rounds of 200 ms\n", board.peak);
}

} // namespace

int main() {
    show_race();
    aio::run(show_semaphore());
}
