// Mutants: every trap a hint warns about is a small patch to the reference,
// and the tests mapped to its exercise must fail on it, naming that exercise
// among their suspects. A trap no test can see is a missing test.
//
// One mutant per file, tests/NN-name/mutants/<name>.mutant:
//
//     # The trap in words (printed when the mutant survives).
//     exercise ch10.sock_sendall
//     file sock_ops.cpp
//     @@ find
//             ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
//     @@ replace
//             ssize_t n = ::send(fd, data, size, 0);
//     @@ end
//
// `file` is relative to solutions/NN-name/; each `@@ find` block is whole lines
// that occur exactly once in it, inside the named exercise's region; several
// find/replace pairs may come before `@@ end`.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "manifest.hpp"
#include "runner.hpp"

namespace grader {

struct Mutant {
    std::string path;     // the .mutant file
    std::string name;     // its stem
    std::string trap;     // the comment lines, joined
    std::string exercise; // the exercise whose region it patches
    std::string file;     // relative to the chapter's solution folder
    std::vector<std::pair<std::string, std::string>> edits; // find -> replace, whole lines
};

// Every mutant under `dir` (none if it does not exist), sorted by name.
// Throws std::runtime_error naming file:line for a malformed one.
std::vector<Mutant> load_mutants(const std::string& dir);

// `text` with the mutant's edits applied. Throws if a find block does not occur
// exactly once, or not inside the region of the mutant's exercise.
std::string apply_mutant(const Mutant& mutant, const std::string& text);

struct MutantBuild {
    std::string sources;   // solutions/NN-name
    std::string tests;     // tests/NN-name
    std::string objects;   // build/<compiler>/sol/NN-name (lib/*.o, tests/*.o, *.d)
    std::string work;      // a scratch folder for the mutants' sources and binaries
    std::string compile;   // compiler and flags, without -I of the chapter or -c/-o
    std::string includes;  // the chapter's include path (-Isolutions/NN ... -Itests/support)
    std::string link_tail; // the earlier chapters' objects, support objects, libraries
    std::string only;      // one mutant's name, or "" for all
    int jobs = 2;
    // make test's subsets: "first-per-exercise", the first mutant (by name) of
    // each exercise; "design-and-alternate", that of each design exercise and of
    // every second other exercise in the chapter's order (the first, the third...).
    // "": every mutant.
    std::string sample;
};

// Builds and runs every mutant of the chapter; prints one line per mutant and
// records "chapter NN mutant <name> caught (mutants)". Returns 0 when every
// mutant is caught and every exercise has at least one.
int run_mutants(const Manifest& manifest, const MutantBuild& build, RunOptions options,
                const std::string& record_file);

} // namespace grader
