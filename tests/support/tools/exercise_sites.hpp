// Where each exercise's region sits in the reference: the function around it.
// A sanitizer's stack trace names functions, not exercises; this lets the
// grader point a crash or a data race at the exercises whose functions it ran.
#pragma once

#include <string>
#include <vector>

#include "manifest.hpp"

namespace grader {

// Fills Exercise::function for the exercises of `manifest` from the
// //@exercise markers under solutions/<chapter>/ (the manifest's sibling
// folder). Exercises whose folder or marker is missing keep "".
void locate_exercise_functions(Manifest& manifest);

// The exercises among `candidates` whose functions appear in the first stack
// trace of `output` (a sanitizer's report), innermost frame first.
std::vector<std::string> exercises_in_stack(const Manifest& manifest,
                                            const std::vector<std::string>& candidates,
                                            const std::string& output);

} // namespace grader
