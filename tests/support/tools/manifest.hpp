// A chapter's manifest: its exercises in order (difficulty, staged hints) and
// its graded tests with their points. Format: tests/README.md.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace grader {

struct Exercise {
    std::string id;
    std::string difficulty; // easy | medium | hard
    bool design = false;    // a design exercise: its text gives behaviour, its hints where to look
    std::vector<std::string> hints;
    std::string function; // the function its region sits in (exercise_sites.hpp), or ""
};

struct GradedTest {
    std::string name; // Suite.Name, as --gtest_filter takes it
    int points = 0;
    int timeout_s = 10;
    bool timing = false; // a sync-vs-async timing test: run alone, after the others
    bool given = false;  // a 0-point warm-up, exempt from the must-fail-on-stubs check
    std::vector<std::string> exercises; // ex=a,b: the exercises whose code this test runs
};

struct Manifest {
    std::string path;
    std::string number; // "02"
    std::string title;  // "Timers and clocks"
    std::vector<Exercise> exercises;
    std::vector<GradedTest> tests;

    int total_points() const;
    const Exercise* find_exercise(const std::string& id) const;
};

// Throws std::runtime_error naming file:line for a malformed line.
Manifest load_manifest(const std::string& path);

// Every problem found, as sentences; empty when the manifest is valid.
// binary_tests: what the test binary lists; exercise_ids: the //@exercise ids
// of the chapter's solution files.
std::vector<std::string> validate(const Manifest& manifest,
                                  const std::vector<std::string>& binary_tests,
                                  const std::set<std::string>& exercise_ids);

} // namespace grader
