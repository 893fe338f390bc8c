// The priority scheduler (see scheduler.hpp).
#include "scheduler.hpp"

#include <exception>

namespace aio {

namespace {
// "failed: <what>" for a job's exception.
[[maybe_unused]] std::string failure(std::exception_ptr error) { // run_job is a stub in lessons/
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return std::string("failed: ") + e.what();
    } catch (...) {
        return "failed: an exception that is not a std::exception";
    }
}
} // namespace

Scheduler::Scheduler(std::size_t workers) : state_(std::make_shared<State>(get_running_loop())) {
    if (workers == 0) throw ValueError("Scheduler: needs at least one worker");
    for (std::size_t i = 0; i < workers; ++i)
        workers_.push_back(create_task(work(state_), "scheduler-" + std::to_string(i)));
}

// The workers and the jobs still running are cancelled; a job's task may
// outlive the Scheduler (it ends at its own pace, a cancel is a request).
Scheduler::~Scheduler() {
    state_->queue.shutdown(/*immediate=*/true);
    for (Task<void>& worker : workers_)
        worker.cancel();
    for (auto& [id, entry] : state_->jobs)
        if (entry.running) entry.running->cancel();
}

Scheduler::JobId Scheduler::schedule(std::string name, int priority, Job job) {
    //@scratch ch08.schedule
    //@exercise ch08.schedule  A new id; keep the job with its schedule time; queue its ticket.
    JobId id = ++state_->last_id;
    state_->jobs.emplace(
        id, Entry{std::move(name), priority, std::move(job), state_->loop.time(), std::nullopt});
    state_->queue.put_nowait(Ticket{priority, id});
    return id;
    //@end
    //@end
}

// Queued: the entry goes now and its ticket is dropped when it comes out of
// the queue (lazy, as the timer heap of chapter 02). Running: cancel its task.
bool Scheduler::cancel(JobId id) {
    //@scratch ch08.scheduler_cancel
    //@exercise ch08.scheduler_cancel  Running: cancel its task. Queued: record it and forget it.
    auto found = state_->jobs.find(id);
    if (found == state_->jobs.end()) return false;
    Entry& entry = found->second;
    if (entry.running) return entry.running->cancel();
    Duration waited = state_->loop.time() - entry.scheduled;
    state_->records.push_back(
        JobRecord{entry.name, entry.priority, "cancelled while queued", waited, Duration{}});
    state_->jobs.erase(found);
    return true;
    //@end
    //@end
}

Coro<void> Scheduler::work(std::shared_ptr<State> state) {
    //@scratch ch08.scheduler_work
    //@exercise ch08.scheduler_work  Loop: next ticket (stop at shutdown); run its job if still
    // known.
    for (;;) {
        std::optional<Ticket> ticket;
        try {
            ticket.emplace(co_await state->queue.get());
        } catch (const QueueShutDown&) {
            break;
        }
        if (state->jobs.count(ticket->id) != 0) co_await run_job(state, ticket->id);
        state->queue.task_done();
    }
    //@end
    //@end
}

// The job runs in a task of its own, so cancel() can cancel it alone; the
// worker waits for a future the task's done callback resolves, which never
// throws the job's error or cancellation into the worker.
Coro<void> Scheduler::run_job(std::shared_ptr<State> state, JobId id) {
    //@scratch ch08.run_job
    //@exercise ch08.run_job  Run the job in its own task, await its end, record outcome and times.
    Entry& entry = state->jobs.at(id);
    TimePoint started = state->loop.time();
    // The job's function moves into the frame of the coroutine that calls it,
    // so it lives as long as the job runs, even when the entry goes first (a
    // Scheduler destroyed meanwhile); and an exception thrown by the call
    // itself, before any coroutine exists, ends the task like any other.
    auto call = [](Job job) -> Coro<void> { co_await job(); };
    Task<void> task = create_task(call(std::move(entry.job)), entry.name);
    entry.running = task;
    Future<void> ended(state->loop);
    task.add_done_callback([ended](Future<void>) mutable {
        if (!ended.done()) ended.set_result();
    });
    co_await ended;
    std::string outcome = task.cancelled()   ? "cancelled while running"
                          : task.exception() ? failure(task.exception())
                                             : "done";
    state->records.push_back(JobRecord{entry.name, entry.priority, outcome,
                                       started - entry.scheduled, state->loop.time() - started});
    state->jobs.erase(id);
    //@end
    //@end
}

Coro<std::vector<JobRecord>> Scheduler::drain() {
    co_await close_workers(state_->queue, workers_);
    co_return state_->records;
}

} // namespace aio
