// The worker pool (see worker_pool.hpp).
#include "worker_pool.hpp"

#include <exception>
#include <optional>

namespace aio {

WorkerPool::WorkerPool(std::size_t workers, std::size_t capacity)
    : state_(std::make_shared<State>(capacity)) {
    if (workers == 0) throw ValueError("WorkerPool: needs at least one worker");
    for (std::size_t i = 0; i < workers; ++i)
        workers_.push_back(
            create_task(work(state_, static_cast<int>(i)), "worker-" + std::to_string(i)));
}

WorkerPool::~WorkerPool() {
    state_->queue.shutdown(/*immediate=*/true);
    for (Task<void>& worker : workers_)
        worker.cancel();
}

Coro<void> WorkerPool::submit(std::string name, Job job) {
    Entry entry{std::move(name), std::move(job)}; // named: no braced list inside co_await (GCC 12)
    co_await state_->queue.put(std::move(entry));
}

// One worker: take a job, run it, report it, mark it done; until the queue
// is shut down and drained. A job's error (an Error or any std::exception)
// is reported, not thrown: the worker goes on with the next job.
Coro<void> WorkerPool::work(std::shared_ptr<State> state, int worker) {
    //@scratch ch08.worker
    //@exercise ch08.worker  Loop: get a job (stop at shutdown), run it, report it, task_done.
    for (;;) {
        std::optional<Entry> entry;
        try {
            entry.emplace(co_await state->queue.get());
        } catch (const QueueShutDown&) {
            break;
        }
        JobReport report{entry->name, worker, false, {}};
        try {
            co_await entry->job();
        } catch (const std::exception& error) {
            report.failed = true;
            report.error = error.what();
        }
        state->reports.push_back(std::move(report));
        state->queue.task_done();
    }
    //@end
    //@end
}

Coro<std::vector<JobReport>> WorkerPool::close() {
    co_await close_workers(state_->queue, workers_);
    co_return state_->reports;
}

} // namespace aio
