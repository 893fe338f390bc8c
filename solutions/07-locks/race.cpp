// The lost-update race and its fix (see race.hpp).
#include "race.hpp"

#include <chrono>
#include <vector>

namespace aio {

namespace {
// Runs every coroutine in a task of its own and waits for all of them.
Coro<void> run_all(std::vector<Coro<void>> bodies) {
    std::vector<Task<void>> tasks;
    for (Coro<void>& body : bodies)
        tasks.push_back(create_task(std::move(body)));
    for (Task<void>& task : tasks)
        co_await task;
}
} // namespace

Coro<void> add_unsafely(int& counter, int rounds) {
    for (int round = 0; round < rounds; ++round) {
        int seen = counter;
        co_await sleep(std::chrono::seconds(0)); // another task may write meanwhile
        counter = seen + 1;
    }
}

Coro<void> add_under_lock(int& counter, Lock& lock, int rounds) {
    //@scratch ch07.race_fix
    //@exercise ch07.race_fix  The same rounds, the lock held from read to write.
    for (int round = 0; round < rounds; ++round) {
        Guard held = co_await lock.guard();
        int seen = counter;
        co_await sleep(std::chrono::seconds(0));
        counter = seen + 1;
    }
    //@end
    //@end
}

int count_updates(int tasks, int rounds, bool use_lock) {
    int counter = 0;
    Lock lock;
    std::vector<Coro<void>> bodies;
    for (int t = 0; t < tasks; ++t)
        bodies.push_back(use_lock ? add_under_lock(counter, lock, rounds)
                                  : add_unsafely(counter, rounds));
    run(run_all(std::move(bodies)));
    return counter;
}

} // namespace aio
