// The thread pool: a queue of blocking calls and the worker threads that run
// them (Python: concurrent.futures.ThreadPoolExecutor).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "aio_base.hpp"

namespace aio {

// A pool of worker threads fed by one FIFO work queue. Threads are made on
// demand (a submit that finds no idle worker starts one, up to max_workers)
// and reused. The pool knows nothing of event loops: run_in_executor
// (loop_bridge.hpp) wraps each call in a WorkItem that hands its outcome back.
//
// Thread: every member may be called from any thread; mutex_ guards the queue,
// the thread list and the counters.
class ThreadPoolExecutor {
public:
    // One unit of work. run() is called on a worker and must not throw;
    // cancel() is called instead when shutdown(cancel_futures) drops the item
    // before a worker took it (either one, never both).
    struct WorkItem {
        std::function<void()> run;
        std::function<void()> cancel;
    };

    // 0: min(32, hardware_concurrency() + 4), 0 cores counting as 1 (Python 3.8+).
    explicit ThreadPoolExecutor(std::size_t max_workers = 0);
    ~ThreadPoolExecutor(); // shutdown(true)
    ThreadPoolExecutor(const ThreadPoolExecutor&) = delete;
    ThreadPoolExecutor& operator=(const ThreadPoolExecutor&) = delete;

    // Queues the item; starts a worker when none is idle and the pool is not
    // full. RuntimeError "cannot schedule new futures after shutdown".
    void submit(WorkItem item);

    // No new work from now on. wait=false: returns at once, running and queued
    // items still finish; wait=true: returns when every worker has exited.
    // cancel_futures: queued items never run, their cancel() is called. A
    // second shutdown changes nothing (wait=true still waits for the threads).
    void shutdown(bool wait = true, bool cancel_futures = false);

    std::size_t max_workers() const { return max_workers_; }
    std::size_t thread_count() const; // workers started so far
    bool is_shutdown() const;

private:
    void worker_loop(); // each worker thread's body
    void join_workers();

    const std::size_t max_workers_;
    mutable std::mutex mutex_; // guards the fields below
    std::condition_variable work_or_shutdown_;
    std::deque<WorkItem> queue_;
    std::vector<std::thread> threads_;
    std::size_t idle_ = 0; // workers waiting for an item
    bool shutdown_ = false;
    std::mutex join_mutex_; // one joiner at a time
};

} // namespace aio
