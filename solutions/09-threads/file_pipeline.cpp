// The bounded fan-out and the file pipeline built on it. Every task here runs
// on the loop's thread, so the shared cursor is a plain index: no lock.
#include "file_pipeline.hpp"

#include <algorithm>
#include <exception>
#include <memory>

#include "async_files.hpp"
#include "task.hpp"

namespace aio {

namespace {

// What the workers of one for_each_bounded share.
struct Cursor {
    std::size_t next = 0;
    std::size_t count = 0;
    std::function<Coro<void>(std::size_t)> body;
};

// One worker: take the next index until none is left (a queue consumer).
Coro<void> drain(std::shared_ptr<Cursor> cursor) {
    while (cursor->next < cursor->count)
        co_await cursor->body(cursor->next++);
}

std::string message_of(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        // An empty what() must still read as a failure (FileOutcome::ok()).
        return *e.what() != '\0' ? e.what() : "an exception with an empty what()";
    }
}

// What the jobs of one process_files share.
struct Pipeline {
    std::vector<FileJob> jobs;
    Transform transform;
    std::vector<FileOutcome> outcomes;
};

// One job: read -> transform -> write; a failure becomes the outcome's error.
Coro<void> run_job(std::shared_ptr<Pipeline> pipeline, std::size_t index) {
    //@scratch ch09.job
    //@exercise ch09.job  Read, transform, write; a std::exception becomes the error.
    const FileJob& job = pipeline->jobs[index];
    std::exception_ptr failure;
    try {
        std::string text = co_await read_file(job.input);
        std::string result = co_await pipeline->transform(std::move(text));
        co_await write_file(job.output, std::move(result));
    } catch (const std::exception&) {
        failure = std::current_exception(); // no co_await inside a catch block
    }
    if (failure) pipeline->outcomes[index].error = message_of(failure);
    //@end
    //@end
}

} // namespace

Coro<void> for_each_bounded(std::size_t count, std::size_t limit,
                            std::function<Coro<void>(std::size_t)> body) {
    if (limit == 0) throw ValueError("for_each_bounded: limit must be at least 1");
    auto cursor = std::make_shared<Cursor>(Cursor{0, count, std::move(body)});
    //@scratch ch09.fan_out
    //@exercise ch09.fan_out  Start min(limit, count) drainers, await all, rethrow the first error.
    std::vector<Task<void>> workers;
    for (std::size_t i = 0; i < std::min(limit, count); ++i)
        workers.push_back(create_task(drain(cursor)));
    std::exception_ptr first_error;
    bool cancelled = false;
    for (Task<void>& worker : workers) {
        try {
            co_await worker;
        } catch (const CancelledError&) {
            first_error = std::current_exception(); // cancellation wins over a body's error
            cancelled = true;
            break;
        } catch (const std::exception&) {
            if (!first_error) first_error = std::current_exception();
        }
    }
    // Cancelled: the workers go too, and are waited for, as gather's children
    // are; left alone they would go on draining the cursor for nobody.
    if (cancelled) {
        for (Task<void>& worker : workers)
            worker.cancel();
        for (Task<void>& worker : workers) {
            try {
                co_await worker;
            } catch (...) { // their ends are dropped: the caller gets CancelledError
            }
        }
    }
    if (first_error) std::rethrow_exception(first_error);
    //@end
    //@end
}

Coro<std::vector<FileOutcome>> process_files(std::vector<FileJob> jobs, Transform transform,
                                             std::size_t max_in_flight) {
    if (!transform) throw ValueError("process_files: the transform is empty");
    auto pipeline = std::make_shared<Pipeline>();
    for (const FileJob& job : jobs)
        pipeline->outcomes.push_back({job.input, job.output, {}});
    pipeline->jobs = std::move(jobs);
    pipeline->transform = std::move(transform);
    auto one_job = [pipeline](std::size_t index) { return run_job(pipeline, index); };
    co_await for_each_bounded(pipeline->jobs.size(), max_in_flight, std::move(one_job));
    co_return pipeline->outcomes;
}

} // namespace aio
