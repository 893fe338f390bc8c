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

// How one job ended: error is empty when it succeeded.
struct JobReport {
    std::string name;
    int worker = 0; // which worker ran it, 0 .. workers - 1
    std::string error;
    bool ok() const { return error.empty(); }
};

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
