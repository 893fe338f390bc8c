// The exercise map and the progression, proven on the probe build (see checks.hpp).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "checks.hpp"
#include "text.hpp"

namespace grader {

namespace fs = std::filesystem;
using Ids = std::set<std::string>;

namespace {

Ids reached_by(const std::string& probe_dir, const std::string& test) {
    Ids ids;
    std::ifstream in(probe_file(probe_dir, test));
    for (std::string id; std::getline(in, id);)
        if (!id.empty()) ids.insert(id);
    return ids;
}

std::string listed(const Ids& ids) {
    return ids.empty() ? "(none)" : looplab_tools::join({ids.begin(), ids.end()}, ",");
}

// Prints one line per test whose ex= is not what it reaches; returns how many.
int check_map(const Manifest& m, const std::vector<Outcome>& outcomes,
              const std::vector<Ids>& reached) {
    int wrong = 0;
    for (std::size_t i = 0; i < m.tests.size(); ++i) {
        const auto& t = m.tests[i];
        if (!earns_points(outcomes[i].status)) {
            std::printf("  FAILS   %s on the instrumented reference: %s\n", t.name.c_str(),
                        outcomes[i].detail.c_str());
            ++wrong;
            continue;
        }
        if (t.given) continue;
        Ids declared(t.exercises.begin(), t.exercises.end());
        if (reached[i].empty())
            std::printf("  NO EX   %s reaches no exercise: it would pass on the stubs\n",
                        t.name.c_str());
        else if (declared != reached[i])
            std::printf("  MAP     %-52s ex=%s  (the manifest says ex=%s)\n", t.name.c_str(),
                        listed(reached[i]).c_str(), listed(declared).c_str());
        wrong += reached[i].empty() || declared != reached[i];
    }
    return wrong;
}

// Prints the score after each exercise; returns how many exercises do not raise it.
int check_progression(const Manifest& m, const std::vector<Ids>& reached) {
    int flat = 0, previous = 0;
    Ids done;
    std::printf("  score with the first k exercises done and the rest still stubs:\n");
    for (std::size_t k = 0; k <= m.exercises.size(); ++k) {
        if (k > 0) done.insert(m.exercises[k - 1].id);
        int score = 0;
        for (std::size_t i = 0; i < m.tests.size(); ++i) {
            bool all_done = true;
            for (const auto& id : reached[i])
                all_done = all_done && done.count(id);
            if (!m.tests[i].given && !reached[i].empty() && all_done) score += m.tests[i].points;
        }
        std::string name = k == 0 ? "(all stubs)" : m.exercises[k - 1].id;
        bool rises = k == 0 || score > previous;
        std::printf("    %2zu  %-28s %3d/100%s\n", k, name.c_str(), score,
                    rises ? "" : "   <- this exercise does not raise the score");
        flat += !rises;
        previous = score;
    }
    return flat;
}

} // namespace

int probe_chapter(const Manifest& m, RunOptions options, const std::string& record_file) {
    fs::remove_all(options.probe_dir);
    fs::create_directories(options.probe_dir);
    std::printf("chapter %s probe: the exercises each test runs (the reference, instrumented)\n",
                m.number.c_str());
    auto outcomes = run_tests(options, m.tests, [](std::size_t, const Outcome&) {});
    std::vector<Ids> reached;
    for (const auto& t : m.tests)
        reached.push_back(reached_by(options.probe_dir, t.name));
    int wrong = check_map(m, outcomes, reached);
    std::printf("  %s\n", wrong == 0 ? "every test's ex= is exactly the exercises it runs"
                                     : "fix the ex= lists above (or the tests)");
    int flat = check_progression(m, reached);
    record(record_file, wrong == 0,
           "chapter " + m.number + " every test's ex= is what it runs (exercise map)");
    record(record_file, flat == 0,
           "chapter " + m.number + " each exercise raises the score (progression)");
    return wrong == 0 && flat == 0 ? 0 : 1;
}

} // namespace grader
