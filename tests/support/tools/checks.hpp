// The maintainer's checks of a chapter's exercises (make test, make probe):
// which exercises each test runs, whether each exercise raises the score, and
// whether the chapter text gives answers away.
#pragma once

#include <string>

#include "manifest.hpp"
#include "runner.hpp"

namespace grader {

// Appends "PASS text" or "FAIL text" to a record file (nothing if file is "").
void record(const std::string& file, bool ok, const std::string& text);

// Runs every test of the probe build (the reference with each exercise region
// instrumented) and proves the manifest's map: a test's ex= must be exactly
// the exercises it enters, since a stub in any of them, and only in them, makes
// it fail. From that map, the score after each exercise done in manifest order
// must rise at every step. Returns 0 when both hold.
int probe_chapter(const Manifest& manifest, RunOptions options, const std::string& record_file);

// No line of an exercise's answer (12 characters or more once white space is
// squeezed) in the chapter README or the manifest; the learner writes at least
// a quarter of the chapter's library code. Returns 0 when both hold.
int check_leaks(const Manifest& manifest, const std::string& sources, const std::string& readme,
                const std::string& record_file);

// Every EXPECT_*/ASSERT_* in the chapter's tests streams a message saying what
// behaviour it expected (`<< "..."`), so a failure reads as a sentence.
int check_assertion_messages(const Manifest& manifest, const std::string& tests_dir,
                             const std::string& record_file);

// The README shows only the first hint stage of each exercise; the others come
// from `make hint`. Returns 0 when it does.
int check_hint_stages(const Manifest& manifest, const std::string& readme,
                      const std::string& record_file);

// No hint names (in backticks) an identifier declared only in given code that
// scratch depth blanks, and no hint of an exercise inside a //@scratch region
// speaks of "given code". Returns 0 when none does.
int check_scratch_hints(const Manifest& manifest, const std::string& sources,
                        const std::string& record_file);

// The reference block of one exercise, as `make reveal` prints it.
std::string reference_block(const std::string& sources, const std::string& exercise);

} // namespace grader
