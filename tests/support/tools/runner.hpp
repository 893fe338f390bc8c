// Runs graded tests, each in its own process under a time limit, so a crash or
// a hang in learner code costs that test only (the MIT 6.1810 grading model).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "manifest.hpp"

namespace grader {

// SKIP: the test ran no check, with a reason (GTEST_SKIP: the machine lacks what
// it needs, e.g. file descriptors). It keeps its points, and a test that skips
// on the stubs fails the honesty check as a pass would.
enum class Status { PASS, SKIP, FAIL, TODO, CRASH, TIMEOUT, MISSING };

inline bool earns_points(Status s) {
    return s == Status::PASS || s == Status::SKIP;
}

struct Outcome {
    Status status = Status::FAIL;
    std::string detail;              // the first assertion, the signal, the exercise id...
    std::vector<std::string> timing; // the test's "TIMING: ..." lines
    std::string output;              // everything the test printed
    double seconds = 0;
};

struct RunOptions {
    std::string binary;
    int jobs = 2;
    bool failfast = false;
    double timeout_scale = 1.0; // sanitizer builds run slower
    std::string probe_dir;      // non-empty: each test gets LOOPLAB_PROBE=<probe_dir>/<test>
};

// The file a probe run of `test` writes its reached exercise ids to.
std::string probe_file(const std::string& probe_dir, const std::string& test);

// Runs `tests` (timing tests alone, after the others) and calls `done` in the
// order of `tests` as results become known. Returns one outcome per test.
std::vector<Outcome> run_tests(const RunOptions& options, const std::vector<GradedTest>& tests,
                               const std::function<void(std::size_t, const Outcome&)>& done);

// The names the binary lists (--gtest_list_tests), as Suite.Name.
std::vector<std::string> list_tests(const std::string& binary);

} // namespace grader
