// The pool's work queue: submit, the workers' loop and shutdown (Python:
// concurrent/futures/thread.py, _adjust_thread_count and _worker).
#include "executor.hpp"

#include <algorithm>

namespace aio {

namespace {
std::size_t default_max_workers() {
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    return std::min<std::size_t>(32, cores + 4);
}
} // namespace

ThreadPoolExecutor::ThreadPoolExecutor(std::size_t max_workers)
    : max_workers_(max_workers == 0 ? default_max_workers() : max_workers) {}

ThreadPoolExecutor::~ThreadPoolExecutor() {
    shutdown(true);
}

std::size_t ThreadPoolExecutor::thread_count() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return threads_.size();
}

bool ThreadPoolExecutor::is_shutdown() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return shutdown_;
}

// Queues the item, then makes sure someone will take it: a new thread when
// more items wait than workers are idle and the pool is not full (Python:
// _adjust_thread_count, with a count instead of its idle semaphore).
void ThreadPoolExecutor::submit(WorkItem item) {
    //@scratch ch09.submit
    //@exercise ch09.submit  Refuse after shutdown; queue it; start a worker if none is idle.
    std::lock_guard<std::mutex> lock(mutex_);
    if (shutdown_) throw RuntimeError("cannot schedule new futures after shutdown");
    queue_.push_back(std::move(item));
    if (queue_.size() > idle_ && threads_.size() < max_workers_)
        threads_.emplace_back([this] { worker_loop(); });
    work_or_shutdown_.notify_one();
    //@end
    //@end
}

// Each worker: wait for an item or for shutdown; take the oldest item and run
// it with the lock released (so the other workers take theirs meanwhile). A
// shut-down pool is still drained: a worker exits only when shut down AND empty.
void ThreadPoolExecutor::worker_loop() {
    //@scratch ch09.worker
    //@exercise ch09.worker  Take the oldest item, run it unlocked; exit when shut down, drained.
    for (;;) {
        WorkItem item;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            ++idle_;
            work_or_shutdown_.wait(lock, [this] { return !queue_.empty() || shutdown_; });
            --idle_;
            if (queue_.empty()) return; // shut down, nothing left
            item = std::move(queue_.front());
            queue_.pop_front();
        }
        item.run();
    }
    //@end
    //@end
}

void ThreadPoolExecutor::shutdown(bool wait, bool cancel_futures) {
    //@scratch ch09.shutdown
    //@exercise ch09.shutdown  Refuse new work; drop the queue if asked; wake all; join if wait.
    std::deque<WorkItem> dropped;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        shutdown_ = true;
        if (cancel_futures) dropped.swap(queue_);
        work_or_shutdown_.notify_all();
    }
    for (WorkItem& item : dropped)
        item.cancel(); // outside the lock: it may post to a loop
    if (wait) join_workers();
    //@end
    //@end
}

// After shutdown no thread is added, so the list is stable; the join mutex
// keeps two waiting shutdowns (the destructor's and a caller's) apart.
void ThreadPoolExecutor::join_workers() {
    std::lock_guard<std::mutex> joining(join_mutex_);
    for (std::thread& thread : threads_)
        if (thread.joinable()) thread.join();
}

} // namespace aio
