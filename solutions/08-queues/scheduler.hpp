// A priority task scheduler: jobs wait in a PriorityQueue, higher priority
// first and FIFO within a priority; a job can be cancelled while queued (it
// never runs) or while running (its task is cancelled); every job's wait and
// run times are reported (a pattern of the articles this kit grew from).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "queues.hpp"
#include "worker_pool.hpp" // close_workers

namespace aio {

// How one job ended, and its times on the loop's clock.
struct JobRecord {
    std::string name;
    int priority = 0;
    std::string
        outcome; // "done", "failed: <what>", "cancelled while queued", "cancelled while running"
    Duration waited{}; // from schedule() to the start (or to the cancel, if it never started)
    Duration ran{};    // from the start to the end; zero if it never started
};

class Scheduler : detail::Pinned {
public:
    using Job = std::function<Coro<void>()>;
    using JobId = std::uint64_t;

    // Starts `workers` worker tasks on the running loop (RuntimeError outside one).
    explicit Scheduler(std::size_t workers = 1);
    ~Scheduler(); // the workers and the jobs still running are cancelled

    JobId schedule(std::string name, int priority, Job job); // higher priority runs first
    bool cancel(JobId id); // false if the job finished already (or never existed)
    // Waits until every scheduled job has ended, stops the workers; the
    // records in the order jobs ended.
    Coro<std::vector<JobRecord>> drain();
    std::size_t unfinished() const { return state_->jobs.size(); } // queued or running

private:
    // What the queue orders: priority, then the schedule order (ids rise).
    struct Ticket {
        int priority;
        JobId id;
    };
    struct RunsFirst { // the "smaller" ticket comes out of the PriorityQueue first
        bool operator()(const Ticket& a, const Ticket& b) const {
            return a.priority != b.priority ? a.priority > b.priority : a.id < b.id;
        }
    };
    struct Entry { // a job from schedule() until it ends
        std::string name;
        int priority;
        Job job;
        TimePoint scheduled;
        std::optional<Task<void>> running; // set while it runs
    };
    struct State {
        explicit State(EventLoop& loop) : loop(loop) {}
        EventLoop& loop;
        PriorityQueue<Ticket, RunsFirst> queue;
        std::map<JobId, Entry> jobs; // scheduled and not ended; a cancelled ticket finds nothing
        std::vector<JobRecord> records;
        JobId last_id = 0;
    };
    static Coro<void> work(std::shared_ptr<State> state);
    static Coro<void> run_job(std::shared_ptr<State> state, JobId id);

    std::shared_ptr<State> state_;
    std::vector<Task<void>> workers_;
};

} // namespace aio
