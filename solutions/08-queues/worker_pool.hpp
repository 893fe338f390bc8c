// A worker pool: N worker tasks take jobs from a bounded Queue. submit()
// waits while the queue is full (backpressure), a failing job is reported and
// the others go on, and close() shuts the pool down cleanly without sentinel
// values: join, then Queue::shutdown (the pattern of the asyncio docs' queue
// example, with 3.13's shutdown instead of cancelling the workers).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "queues.hpp"

namespace aio {

// How one job ended. A job fails by throwing, whatever its message says: an
// exception whose what() is empty is a failure all the same.
struct JobReport {
    std::string name;
    int worker = 0; // which worker ran it, 0 .. workers - 1
    bool failed = false;
    std::string error; // the exception's what(), when it failed
    bool ok() const { return !failed; }
};

// Stops worker tasks that take their jobs from `queue`, once every job is
// done: the end of the asyncio docs' queue example, with 3.13's shutdown
// instead of cancelling the workers (no sentinel values). WorkerPool::close
// and Scheduler::drain both end this way.
template <class T>
Coro<void> close_workers(Queue<T>& queue, std::vector<Task<void>>& workers) {
    //@scratch ch08.pool_close
    //@exercise ch08.pool_close  Wait for every job, shut the queue down, await each worker.
    co_await queue.join();
    queue.shutdown();
    for (Task<void>& worker : workers)
        co_await worker;
    //@end
    //@end
}

class WorkerPool : detail::Pinned {
public:
    using Job = std::function<Coro<void>()>; // called by a worker; it must outlive the call

    // Starts `workers` worker tasks on the running loop (RuntimeError outside
    // one); at most `capacity` jobs wait in the queue (0: no limit).
    WorkerPool(std::size_t workers, std::size_t capacity);
    ~WorkerPool(); // workers still running are stopped (queue shut down, tasks cancelled)

    Coro<void> submit(std::string name, Job job); // waits while the queue is full
    // Waits until every submitted job has run, shuts the queue down so that
    // the workers end, waits for them; the reports in the order jobs ended.
    Coro<std::vector<JobReport>> close();
    const std::vector<JobReport>& reports() const { return state_->reports; } // so far

private:
    struct Entry {
        std::string name;
        Job job;
    };
    // What the workers share with the pool; they hold it too, so it outlives
    // a pool destroyed while they still run.
    struct State {
        explicit State(std::size_t capacity) : queue(capacity) {}
        Queue<Entry> queue;
        std::vector<JobReport> reports;
    };
    static Coro<void> work(std::shared_ptr<State> state, int worker);

    std::shared_ptr<State> state_;
    std::vector<Task<void>> workers_;
};

} // namespace aio
