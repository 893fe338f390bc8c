// The file pipeline: read many files concurrently on the executor, transform
// each on the loop, write the results, with at most N files in flight.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "coro.hpp"

namespace aio {

struct FileJob {
    std::string input;  // read with read_file
    std::string output; // written with write_file
};

// What became of one job: error is empty when the output was written, else
// the message of what failed ("open /data/missing.txt: No such file or directory").
struct FileOutcome {
    std::string input;
    std::string output;
    std::string error;
    bool ok() const { return error.empty(); } // a failure's error is never empty
};

// Runs body(0), body(1), ... body(count - 1) with at most `limit` of them
// running at once, and returns when every one is done: the bounded fan-out
// (asyncio: N worker tasks sharing a queue, or a Semaphore around each body).
// A body that throws ends only its own worker; the others go on, and the first
// such exception is rethrown once all are done. Cancelling it cancels the
// bodies still running and starts no more (as gather cancels its children);
// CancelledError comes out once they are gone. ValueError if limit is 0.
Coro<void> for_each_bounded(std::size_t count, std::size_t limit,
                            std::function<Coro<void>(std::size_t)> body);

// Runs on the loop; it may await (a transform that calls a service, say).
using Transform = std::function<Coro<std::string>(std::string)>;

// Every job goes read -> transform -> write, through for_each_bounded: at most
// max_in_flight jobs are between their read and their write. A failing job is recorded in its
// outcome and the others go on. Outcomes come in job order. ValueError if max_in_flight is 0 or the
// transform is empty.
Coro<std::vector<FileOutcome>> process_files(std::vector<FileJob> jobs, Transform transform,
                                             std::size_t max_in_flight);

} // namespace aio
