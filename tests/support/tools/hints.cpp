// Staged hints (hints.hpp). Stage 1, the idea, is free: the chapter README and
// every `make check` show it. Each `make hint` shows one stage more.
#include "hints.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace grader {

namespace {

const char* stage_name(const Exercise& e, std::size_t stage) {
    if (e.design) return "where to look";
    static const char* const names[] = {"the idea", "the plan", "the trap"};
    return e.hints.size() == 3 && stage < 3 ? names[stage] : "hint";
}

void record_stage(const std::string& grades, const std::string& id, std::size_t stage,
                  std::size_t total) {
    if (grades.empty()) return;
    fs::create_directories(grades);
    std::ofstream(grades + "/hints", std::ios::app) << id << " " << stage << " " << total << "\n";
}

int list_exercises(const Manifest& m) {
    std::printf("chapter %s scored 100/100 at its last check: nothing left to hint.\n"
                "make hint CH=%s EX=<id> shows the hints of any exercise:\n",
                m.number.c_str(), m.number.c_str());
    for (const auto& e : m.exercises)
        std::printf("  %s (%s%s)\n", e.id.c_str(), e.difficulty.c_str(),
                    e.design ? ", design" : "");
    return 0;
}

} // namespace

std::map<std::string, StageSeen> hint_stages_seen(const std::string& grades) {
    std::map<std::string, StageSeen> seen;
    std::ifstream in(grades + "/hints");
    std::string id;
    for (int stage, total; in >> id >> stage >> total;)
        seen[id] = {std::max(seen[id].stage, stage), total};
    return seen;
}

int show_hints(const Manifest& m, const HintRequest& r) {
    std::string id = r.exercise;
    if (id.empty() && !r.next_file.empty()) std::ifstream(r.next_file) >> id;
    if (id == "done") return list_exercises(m);
    if (id.empty()) id = m.exercises.empty() ? "" : m.exercises.front().id;
    const Exercise* e = m.find_exercise(id);
    if (!e) {
        std::printf("no exercise %s in chapter %s\n", id.c_str(), m.number.c_str());
        return 2;
    }
    std::size_t total = e->hints.size(), seen = std::max(1, hint_stages_seen(r.grades)[id].stage);
    std::size_t upto = r.stage == "all"  ? total
                       : r.stage.empty() ? std::min(total, seen + 1)
                                         : std::clamp<std::size_t>(std::stoul(r.stage), 1, total);
    std::printf("%s (%s%s)\n", id.c_str(), e->difficulty.c_str(),
                e->design ? ", a design exercise: its hints say where to look, not what to write"
                          : "");
    for (std::size_t i = 0; i < upto; ++i)
        std::printf("  hint %zu of %zu (%s)%s: %s\n", i + 1, total, stage_name(*e, i),
                    i + 1 > seen ? " new" : "", e->hints[i].c_str());
    record_stage(r.grades, id, upto, total);
    if (upto < total)
        std::printf(
            "one more stage: make hint CH=%s%s (make grade records the stage you reached)\n",
            m.number.c_str(), r.exercise.empty() ? "" : (" EX=" + id).c_str());
    else
        std::printf("no more hints. Still stuck? make reveal EX=%s prints the answer "
                    "(and records that it did)\n",
                    id.c_str());
    return 0;
}

} // namespace grader
