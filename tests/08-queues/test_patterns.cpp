// The worker pool and the priority scheduler.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "lifetime.hpp"
#include "queue_test_helpers.hpp"
#include "scheduler.hpp"
#include "worker_pool.hpp"

using namespace looplab;
using aio::Coro;

namespace {

// A job that sleeps `ms` and logs; it throws if `fail`.
aio::WorkerPool::Job sleeper(Log& log, std::string name, int ms, bool fail = false) {
    return [&log, name, ms, fail]() -> Coro<void> {
        co_await aio::sleep(std::chrono::milliseconds(ms));
        if (fail) throw aio::ValueError(name + " broke");
        log.add(name);
    };
}

std::string names_of(const std::vector<aio::JobReport>& reports) {
    std::string all;
    for (const aio::JobReport& report : reports)
        all += report.name + (report.ok() ? "" : "(" + report.error + ")") + " ";
    return all;
}

} // namespace

TEST(WorkerPool, ThreeWorkersShareNineJobsAndCloseWaitsForAll) {
    Log log;
    VirtualLoop v;
    log.clock = &v;
    std::vector<aio::JobReport> reports;
    auto main = [&]() -> Coro<void> {
        aio::WorkerPool pool(3, 0);
        for (int i = 0; i < 9; ++i)
            co_await pool.submit("job" + std::to_string(i), sleeper(log, "j", 100));
        reports = co_await pool.close();
    };
    auto m = aio::create_task(v.loop, main());
    v.settle(10s);
    EXPECT_EQ(outcome_of(m), "ok") << "ch08.pool_close: close() returns once every job ran";
    EXPECT_EQ(reports.size(), 9u)
        << "ch08.worker, ch08.pool_close: every job reported once (close() drops none)";
    std::set<int> workers;
    for (const aio::JobReport& report : reports)
        workers.insert(report.worker);
    EXPECT_EQ(workers.size(), 3u) << "ch08.worker: the jobs were shared by the 3 workers";
    EXPECT_EQ(joined(log.lines),
              "j @100, j @100, j @100, j @200, j @200, j @200, j @300, j @300, j @300")
        << "ch08.worker: 3 workers run 9 jobs of 100 ms in 3 rounds";
}

TEST(WorkerPool, WorkersRunJobsAsTheyArrive) {
    Log log;
    VirtualLoop v;
    log.clock = &v;
    std::size_t reported = 0;
    auto main = [&]() -> Coro<void> {
        aio::WorkerPool pool(2, 0);
        for (std::string name : {"a", "b", "c"})
            co_await pool.submit(name, sleeper(log, name, 10));
        co_await aio::sleep(100ms);
        reported = pool.reports().size();
    }; // the pool goes without close(): its destructor stops the idle workers
    auto m = aio::create_task(v.loop, main());
    v.settle();
    EXPECT_EQ(joined(log.lines), "a @10, b @10, c @20")
        << "ch08.worker: two workers take the jobs in order as they come";
    EXPECT_EQ(reported, 3u) << "ch08.worker: each job is reported when it ends";
}

TEST(WorkerPool, AFailingJobIsReportedAndTheOthersStillRun) {
    Log log;
    VirtualLoop v;
    std::vector<aio::JobReport> reports;
    auto main = [&]() -> Coro<void> {
        aio::WorkerPool pool(1, 0);
        co_await pool.submit("a", sleeper(log, "a", 10));
        co_await pool.submit("b", sleeper(log, "b", 10, /*fail=*/true));
        co_await pool.submit("c", sleeper(log, "c", 10));
        reports = co_await pool.close();
    };
    auto m = aio::create_task(v.loop, main());
    v.settle();
    EXPECT_EQ(outcome_of(m), "ok")
        << "ch08.worker, ch08.pool_close: a failing job does not fail the pool (and is still "
           "marked done, or close() never returns)";
    EXPECT_EQ(names_of(reports), "a b(b broke) c ")
        << "ch08.worker: the failure is reported with its message, and c still runs";
}

// A Job is a function that returns a coroutine; the function itself may throw
// before any coroutine exists. And an exception may carry an empty message.
TEST(WorkerPool, AJobThatThrowsBeforeItsCoroutineOrWithNoMessageIsAFailure) {
    Log log;
    VirtualLoop v;
    std::vector<aio::JobReport> reports;
    auto main = [&]() -> Coro<void> {
        aio::WorkerPool pool(1, 0);
        aio::WorkerPool::Job no_coroutine = []() -> Coro<void> {
            throw aio::ValueError("the job could not start"); // not a coroutine: throws at the call
        };
        aio::WorkerPool::Job no_message = []() -> Coro<void> {
            co_await aio::sleep(1ms);
            throw std::runtime_error("");
        };
        co_await pool.submit("a", no_coroutine);
        co_await pool.submit("b", no_message);
        co_await pool.submit("c", sleeper(log, "c", 10));
        reports = co_await pool.close();
    };
    auto m = aio::create_task(v.loop, main());
    v.settle();
    EXPECT_EQ(outcome_of(m), "ok")
        << "ch08.worker: a job that throws when called is reported, the worker goes on, got: "
        << outcome_of(m);
    ASSERT_EQ(reports.size(), 3u) << "ch08.worker: three jobs, three reports";
    EXPECT_FALSE(reports[0].ok()) << "ch08.worker: a function that throws is a failed job";
    EXPECT_EQ(reports[0].error, "the job could not start") << "ch08.worker: with its message";
    EXPECT_FALSE(reports[1].ok())
        << "ch08.worker: an exception whose what() is empty is a failure all the same";
    EXPECT_TRUE(reports[2].ok()) << "ch08.worker: and the next job still runs, got: "
                                 << names_of(reports);
}

TEST(WorkerPool, SubmitWaitsWhileTheBoundedQueueIsFull) {
    Log log;
    VirtualLoop v;
    log.clock = &v;
    auto main = [&]() -> Coro<void> {
        aio::WorkerPool pool(1, 2); // one worker, two jobs may wait
        for (int i = 0; i < 5; ++i) {
            co_await pool.submit("job", sleeper(log, "ran", 10));
            log.add("submitted " + std::to_string(i));
        }
        co_await pool.close();
    };
    auto m = aio::create_task(v.loop, main());
    v.settle();
    EXPECT_EQ(joined(log.lines), "submitted 0 @0, submitted 1 @0, submitted 2 @0, ran @10, "
                                 "submitted 3 @10, ran @20, submitted 4 @20, ran @30, ran @40, "
                                 "ran @50")
        << "ch08.worker: with 1 running and 2 waiting, submit waits for room (backpressure)";
}

TEST(WorkerPool, CloseEndsTheWorkersWithoutSentinels) {
    VirtualLoop v;
    int ran = 0;
    auto main = [&]() -> Coro<void> {
        aio::WorkerPool pool(4, 0);
        auto job = [&ran]() -> Coro<void> {
            ++ran;
            co_return;
        };
        co_await pool.submit("only", job);
        co_await pool.close();
    };
    auto m = aio::create_task(v.loop, main());
    v.settle();
    EXPECT_EQ(outcome_of(m), "ok")
        << "ch08.pool_close: close() returns: idle workers end on QueueShutDown, no sentinel";
    EXPECT_EQ(ran, 1) << "ch08.worker: the job ran once";
}

namespace {

std::string records_of(const std::vector<aio::JobRecord>& records) {
    std::string all;
    for (const aio::JobRecord& r : records) {
        auto ms = [](aio::Duration d) {
            return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
        };
        all += r.name + ":" + r.outcome + " waited " + ms(r.waited) + " ran " + ms(r.ran) + "; ";
    }
    return all;
}

} // namespace

TEST(Scheduler, ScheduleHandsOutRisingIdsAndKeepsTheJobs) {
    Log log;
    VirtualLoop v;
    std::vector<aio::Scheduler::JobId> ids;
    std::size_t unfinished = 0;
    auto main = [&]() -> Coro<void> {
        aio::Scheduler scheduler(1);
        for (int priority : {1, 5, 3})
            ids.push_back(scheduler.schedule("j", priority, sleeper(log, "j", 10)));
        unfinished = scheduler.unfinished();
        co_return; // destroyed before its worker ever ran
    };
    auto m = aio::create_task(v.loop, main());
    v.settle();
    ASSERT_EQ(ids.size(), 3u) << "ch08.schedule: one id per job";
    EXPECT_TRUE(ids[0] < ids[1] && ids[1] < ids[2]) << "ch08.schedule: ids rise in schedule order";
    EXPECT_EQ(unfinished, 3u) << "ch08.schedule: the scheduler keeps each job until it ends";
    EXPECT_TRUE(log.lines.empty()) << "ch08.schedule: schedule() runs nothing itself";
}

TEST(Scheduler, CancelOfAQueuedJobOrOfAnUnknownId) {
    Log log;
    VirtualLoop v;
    std::vector<bool> answers;
    std::size_t unfinished = 0;
    auto main = [&]() -> Coro<void> {
        aio::Scheduler scheduler(1);
        auto first = scheduler.schedule("first", 1, sleeper(log, "first", 10));
        scheduler.schedule("second", 1, sleeper(log, "second", 10));
        answers.push_back(scheduler.cancel(first));
        answers.push_back(scheduler.cancel(first));
        answers.push_back(scheduler.cancel(12345));
        unfinished = scheduler.unfinished();
        co_return;
    };
    auto m = aio::create_task(v.loop, main());
    v.settle();
    EXPECT_EQ(answers, (std::vector<bool>{true, false, false}))
        << "ch08.scheduler_cancel: a queued job cancels once; an ended or unknown id is false";
    EXPECT_EQ(unfinished, 1u) << "ch08.scheduler_cancel: the cancelled job is forgotten at once";
}

TEST(Scheduler, WorkersDropTheTicketsOfCancelledJobs) {
    Log log;
    VirtualLoop v;
    std::vector<aio::JobRecord> records;
    auto main = [&]() -> Coro<void> {
        aio::Scheduler scheduler(2);
        std::vector<aio::Scheduler::JobId> ids;
        for (std::string name : {"a", "b", "c"})
            ids.push_back(scheduler.schedule(name, 1, sleeper(log, name, 10)));
        for (aio::Scheduler::JobId id : ids)
            scheduler.cancel(id);
        records = co_await scheduler.drain();
    };
    auto m = aio::create_task(v.loop, main());
    v.settle();
    EXPECT_EQ(outcome_of(m), "ok")
        << "ch08.scheduler_work: drain() returns: each dropped ticket is still marked done";
    EXPECT_TRUE(log.lines.empty()) << "ch08.scheduler_work: no cancelled job runs";
    EXPECT_EQ(records.size(), 3u) << "ch08.scheduler_cancel: three jobs recorded as cancelled";
}

TEST(Scheduler, HigherPriorityFirstAndFifoWithinAPriority) {
    Log log;
    VirtualLoop v;
    std::vector<aio::JobRecord> records;
    auto main = [&]() -> Coro<void> {
        aio::Scheduler scheduler(1);
        scheduler.schedule("low1", 1, sleeper(log, "low1", 10));
        scheduler.schedule("high1", 5, sleeper(log, "high1", 10));
        scheduler.schedule("low2", 1, sleeper(log, "low2", 10));
        scheduler.schedule("mid", 3, sleeper(log, "mid", 10));
        scheduler.schedule("high2", 5, sleeper(log, "high2", 10));
        records = co_await scheduler.drain();
    };
    auto m = aio::create_task(v.loop, main());
    v.settle();
    EXPECT_EQ(joined(log.lines), "high1, high2, mid, low1, low2")
        << "ch08.scheduler_work: higher priority first; equal priorities in schedule order";
    EXPECT_EQ(records.size(), 5u) << "ch08.run_job: a record per job";
}

TEST(Scheduler, ReportsEachJobsWaitAndRunTimes) {
    Log log;
    VirtualLoop v;
    std::vector<aio::JobRecord> records;
    std::size_t left = 99;
    auto main = [&]() -> Coro<void> {
        aio::Scheduler scheduler(1);
        scheduler.schedule("a", 1, sleeper(log, "a", 30));
        scheduler.schedule("b", 1, sleeper(log, "b", 20, /*fail=*/true));
        scheduler.schedule("c", 1, sleeper(log, "c", 10));
        records = co_await scheduler.drain();
        left = scheduler.unfinished();
    };
    auto m = aio::create_task(v.loop, main());
    v.settle();
    EXPECT_EQ(left, 0u) << "ch08.run_job: a job that ended is forgotten (its entry erased)";
    EXPECT_EQ(records_of(records), "a:done waited 0 ran 30; b:failed: b broke waited 30 ran 20; "
                                   "c:done waited 50 ran 10; ")
        << "ch08.run_job, ch08.schedule: outcome, time queued (from the schedule time on the "
           "loop's clock) and time running of each job, in order";
}

TEST(Scheduler, AJobThatThrowsBeforeItsCoroutineIsRecordedAsFailed) {
    Log log;
    VirtualLoop v;
    std::vector<aio::JobRecord> records;
    auto main = [&]() -> Coro<void> {
        aio::Scheduler scheduler(1);
        aio::Scheduler::Job no_coroutine = []() -> Coro<void> {
            throw aio::ValueError("the job could not start"); // not a coroutine: throws at the call
        };
        scheduler.schedule("broken", 1, no_coroutine);
        scheduler.schedule("next", 1, sleeper(log, "next", 10));
        records = co_await scheduler.drain();
    };
    auto m = aio::create_task(v.loop, main());
    v.settle();
    EXPECT_EQ(outcome_of(m), "ok")
        << "ch08.run_job: a job whose function throws ends as a failure, not in the worker; "
           "got: "
        << outcome_of(m);
    EXPECT_EQ(records_of(records), "broken:failed: the job could not start waited 0 ran 0; "
                                   "next:done waited 0 ran 10; ")
        << "ch08.run_job: the failure is recorded with its message and the next job runs";
}

// ~Scheduler cancels the job that is running; the job may take its time to
// end (here it cleans up for 20 ms after the cancel). Its function, and what
// the function captured, must live until then: the Scheduler's entry for the
// job is gone long before.
TEST(Scheduler, ARunningJobIsCancelledWithTheSchedulerAndKeepsItsFunction) {
    VirtualLoop v;
    LifetimeCounts counts;
    struct Seen {
        bool cancelled = false;
        int captures_alive_in_cleanup = -1;
    } seen;
    auto main = [&]() -> Coro<void> {
        {
            aio::Scheduler scheduler(1);
            aio::Scheduler::Job job = [held = Counted(counts), &counts, &seen]() -> Coro<void> {
                // Locals of the frame: after the first wait, the job reads no capture.
                LifetimeCounts* tally = &counts;
                Seen* out = &seen;
                bool cancelled = false;
                try {
                    co_await aio::sleep(1000ms);
                } catch (const aio::CancelledError&) {
                    cancelled = true;
                }
                co_await aio::sleep(20ms); // the clean-up after a cancel
                out->cancelled = cancelled;
                out->captures_alive_in_cleanup = tally->alive();
            };
            scheduler.schedule("long", 1, std::move(job));
            co_await aio::sleep(10ms); // the job runs
        }                              // the Scheduler goes
        co_await aio::sleep(100ms);
    };
    auto m = aio::create_task(v.loop, main());
    v.settle();
    EXPECT_EQ(outcome_of(m), "ok") << "ch08.run_job: the test's main ends";
    EXPECT_TRUE(seen.cancelled) << "ch08.run_job: ~Scheduler cancels the job that runs";
    EXPECT_GE(seen.captures_alive_in_cleanup, 1)
        << "ch08.run_job: the job's function (and what it captured) lives as long as its "
           "coroutine runs, even after the Scheduler and its entry are gone";
    EXPECT_EQ(counts.alive(), 0) << "ch08.run_job: and is destroyed once the job has ended ("
                                 << counts.summary() << ")";
}

TEST(Scheduler, AJobCancelledWhileQueuedNeverRuns) {
    Log log;
    VirtualLoop v;
    std::vector<aio::JobRecord> records;
    bool cancelled_twice = true;
    auto main = [&]() -> Coro<void> {
        aio::Scheduler scheduler(1);
        scheduler.schedule("first", 1, sleeper(log, "first", 10));
        auto doomed = scheduler.schedule("doomed", 1, sleeper(log, "doomed", 10));
        scheduler.schedule("last", 1, sleeper(log, "last", 10));
        co_await aio::sleep(5ms);
        EXPECT_TRUE(scheduler.cancel(doomed)) << "ch08.scheduler_cancel: a queued job cancels";
        cancelled_twice = scheduler.cancel(doomed);
        records = co_await scheduler.drain();
    };
    auto m = aio::create_task(v.loop, main());
    v.settle();
    EXPECT_EQ(joined(log.lines), "first, last")
        << "ch08.scheduler_cancel: the doomed job never ran";
    EXPECT_FALSE(cancelled_twice)
        << "ch08.scheduler_cancel: a job ends once: a second cancel is false";
    EXPECT_EQ(records_of(records), "doomed:cancelled while queued waited 5 ran 0; "
                                   "first:done waited 0 ran 10; last:done waited 10 ran 10; ")
        << "ch08.scheduler_cancel: the cancelled job is recorded when cancelled";
}

TEST(Scheduler, ARunningJobCanBeCancelledAndTheNextRuns) {
    Log log;
    VirtualLoop v;
    std::vector<aio::JobRecord> records;
    auto main = [&]() -> Coro<void> {
        aio::Scheduler scheduler(1);
        auto slow = scheduler.schedule("slow", 1, sleeper(log, "slow", 1000));
        scheduler.schedule("next", 1, sleeper(log, "next", 10));
        co_await aio::sleep(50ms);
        EXPECT_TRUE(scheduler.cancel(slow)) << "ch08.scheduler_cancel: a running job cancels";
        records = co_await scheduler.drain();
    };
    auto m = aio::create_task(v.loop, main());
    v.settle();
    EXPECT_EQ(outcome_of(m), "ok") << "ch08.run_job: the worker survives a job's cancellation";
    EXPECT_EQ(records_of(records), "slow:cancelled while running waited 0 ran 50; "
                                   "next:done waited 50 ran 10; ")
        << "ch08.run_job, ch08.scheduler_cancel: the running job stops at the cancel (its task "
           "cancelled, recorded when it ends); the next one starts then";
}
