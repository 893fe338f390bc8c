// What the grader prints: one line per test, the score with a progress bar,
// the timing report, the next exercise; and what it records for teachers.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "manifest.hpp"
#include "runner.hpp"

namespace grader {

struct Style {
    bool colour = false; // only on a terminal
    std::string paint(const std::string& text, const char* ansi) const;
};

std::string status_word(Status s);

// "  PASS   10/10  Suite.Name   detail" (+ the first assertion for a FAIL)
void print_result(const Style& style, const GradedTest& test, const Outcome& outcome);

void print_score(const Style& style, int score, int passed, int total);

void print_timing_report(const std::vector<GradedTest>& tests,
                         const std::vector<Outcome>& outcomes);

// The ids whose TODO stub (`throw aio::NotImplemented("<id>")` or
// `not_implemented_abort("<id>")`) is still in the sources under `dir`.
std::set<std::string> stubs_left_in(const std::string& dir);

// The exercise to do next: the first one (in manifest order) whose stub is still
// in the learner's sources, when they are known (`stubs_left`); else the first
// one a test reported as not started; else the earliest suspect of a failing
// test. Tests alone can point past an exercise: a stub that every test reaches
// before the earlier ones hides them.
const Exercise* next_exercise(const Manifest& manifest, const std::vector<Outcome>& outcomes,
                              const std::optional<std::set<std::string>>& stubs_left);

// The exercise a failing test most likely points at when no stub explains the
// failure: the last of its ex= exercises in the chapter's order (a test comes
// after the tests of its earlier exercises). "" when it names none.
std::string suspect_of(const Manifest& manifest, const GradedTest& test);

// The exercises a failure points at: those of the test's ex= that its output
// names (the assertion messages name the exercise they suspect); when it names
// none (a crash, a time-out, a bare assertion), the ex= exercises whose
// functions are in a sanitizer's stack trace (innermost first), and failing
// that every exercise of its ex=. `precise = false` skips the stack trace (mutants:
// a failing test that may point at the exercise counts). In the chapter's
// order (stack order when from a trace); empty when the test has no ex=.
std::vector<std::string> suspects_of(const Manifest& manifest, const GradedTest& test,
                                     const Outcome& outcome, bool precise = true);

void print_next(const Style& style, const Manifest& manifest, const Exercise& exercise);

// build/grades/NN.json and NN.tsv: what `make grade` collects into one table.
void write_grades(const std::string& dir, const Manifest& manifest, const std::string& graded,
                  const std::vector<Outcome>& outcomes, int score);

// `make grade`: the table of every chapter recorded in `dir`; writes grades.json beside it.
int print_grade_table(const Style& style, const std::string& dir);

// A progress bar of `width` cells for score out of 100.
std::string bar(int score, int width = 20);

} // namespace grader
