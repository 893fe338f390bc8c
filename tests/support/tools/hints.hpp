// `make hint`: an exercise's staged hints, one stage at a time, and the record
// of the stage each learner reached (make grade and grades.json list it, so a
// teacher sees who worked from ideas and who from plans).
#pragma once

#include <map>
#include <string>

#include "manifest.hpp"

namespace grader {

struct HintRequest {
    std::string exercise;  // an id, or "" for the one the last check named
    std::string next_file; // build/grades/NN.next: what the last check named
    std::string grades;    // build/grades: where the stages seen are recorded
    std::string stage;     // "" for the next stage not yet seen, "all", or a number
};

int show_hints(const Manifest& manifest, const HintRequest& request);

struct StageSeen {
    int stage = 0; // the highest stage shown
    int total = 0; // the exercise's stages
};

// The highest hint stage shown per exercise id (build/grades/hints).
std::map<std::string, StageSeen> hint_stages_seen(const std::string& grades);

} // namespace grader
