// Builds each mutant as the chapter's reference objects with only the patched
// ones recompiled, runs the tests mapped to its exercise, and says whether a
// test caught it (mutants.hpp).
#include "mutants.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "checks.hpp"
#include "report.hpp"

namespace fs = std::filesystem;

namespace grader {

namespace {

std::string read_all(const fs::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

Mutant parse_mutant(const fs::path& path) {
    Mutant m;
    m.path = path.string();
    m.name = path.stem().string();
    std::ifstream in(path);
    enum { HEAD, FIND, REPLACE, END } part = HEAD;
    int number = 0;
    auto fail = [&](const std::string& why) {
        throw std::runtime_error(m.path + ":" + std::to_string(number) + ": " + why);
    };
    for (std::string line; std::getline(in, line);) {
        ++number;
        if (line == "@@ find") {
            if (part == FIND || part == END) fail("`@@ find` where a replace or nothing belongs");
            m.edits.emplace_back();
            part = FIND;
        } else if (line == "@@ replace") {
            if (part != FIND) fail("`@@ replace` without a `@@ find` before it");
            part = REPLACE;
        } else if (line == "@@ end") {
            if (part != REPLACE) fail("`@@ end` before a find and a replace");
            part = END;
        } else if (part == FIND) {
            m.edits.back().first += line + "\n";
        } else if (part == REPLACE) {
            m.edits.back().second += line + "\n";
        } else if (part == HEAD && line.rfind("#", 0) == 0) {
            m.trap += (m.trap.empty() ? "" : " ") +
                      line.substr(line.find_first_not_of("# ") == std::string::npos
                                      ? line.size()
                                      : line.find_first_not_of("# "));
        } else if (part == HEAD && line.rfind("exercise ", 0) == 0) {
            m.exercise = line.substr(9);
        } else if (part == HEAD && line.rfind("file ", 0) == 0) {
            m.file = line.substr(5);
        } else if (!line.empty()) {
            fail("unexpected line (see the format in tests/support/tools/mutants.hpp)");
        }
    }
    if (m.exercise.empty() || m.file.empty()) fail("needs an `exercise` and a `file` line");
    if (m.edits.empty() || part != END) fail("needs find/replace blocks closed by `@@ end`");
    if (m.trap.empty()) fail("needs a `#` line saying the trap in words");
    return m;
}

// The line ranges [first, last] of the regions of `exercise` in `text`.
std::vector<std::pair<int, int>> regions_of(const std::string& text, const std::string& exercise) {
    std::vector<std::pair<int, int>> ranges;
    std::vector<std::pair<bool, int>> open; // (is this exercise, first line)
    std::istringstream in(text);
    int number = 0;
    for (std::string line; std::getline(in, line); ++number) {
        auto start = line.find_first_not_of(" \t");
        std::string t = start == std::string::npos ? "" : line.substr(start);
        if (t.rfind("//@exercise ", 0) == 0 || t.rfind("//@scratch ", 0) == 0) {
            std::istringstream words(t);
            std::string marker, id;
            words >> marker >> id;
            open.push_back({marker == "//@exercise" && id == exercise, number});
        } else if (t.rfind("//@end", 0) == 0 && !open.empty()) {
            if (open.back().first) ranges.push_back({open.back().second, number});
            open.pop_back();
        }
    }
    return ranges;
}

int line_of(const std::string& text, std::size_t offset) {
    return (int)std::count(text.begin(), text.begin() + (long)offset, '\n');
}

bool run(const std::string& command, const std::string& log) {
    return std::system((command + " >>" + log + " 2>&1").c_str()) == 0;
}

struct Verdict {
    bool caught = false;
    std::string how; // the test that caught it, or why not
};

} // namespace

std::vector<Mutant> load_mutants(const std::string& dir) {
    std::vector<Mutant> mutants;
    if (!fs::exists(dir)) return mutants;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".mutant") mutants.push_back(parse_mutant(e.path()));
    std::sort(mutants.begin(), mutants.end(),
              [](const Mutant& a, const Mutant& b) { return a.name < b.name; });
    return mutants;
}

std::string apply_mutant(const Mutant& mutant, const std::string& text) {
    std::string out = text;
    for (const auto& [find, replace] : mutant.edits) {
        std::size_t at = out.find(find);
        if (at == std::string::npos || (at > 0 && out[at - 1] != '\n'))
            throw std::runtime_error(mutant.path + ": a find block is not in " + mutant.file);
        if (out.find(find, at + 1) != std::string::npos)
            throw std::runtime_error(mutant.path + ": a find block occurs twice in " + mutant.file);
        int first = line_of(out, at),
            last = first + (int)std::count(find.begin(), find.end(), '\n');
        bool inside = false;
        for (auto [from, to] : regions_of(out, mutant.exercise))
            inside = inside || (from < first && last <= to);
        if (!inside)
            throw std::runtime_error(mutant.path + ": a find block is not inside the region of " +
                                     mutant.exercise + " in " + mutant.file);
        out.replace(at, find.size(), replace);
    }
    if (out == text) throw std::runtime_error(mutant.path + ": the edits change nothing");
    return out;
}

namespace {

// The objects of the reference build whose sources include `header`.
bool depends_on(const fs::path& dep_file, const std::string& header) {
    return read_all(dep_file).find(header) != std::string::npos;
}

// Compiles the mutant and links it; returns the binary's path, or "" (the log says why).
std::string build_mutant(const Mutant& m, const MutantBuild& b, const fs::path& dir,
                         const std::string& log) {
    fs::remove_all(dir);
    fs::create_directories(dir / "src");
    for (const auto& e : fs::directory_iterator(b.sources))
        if (e.is_regular_file()) fs::copy_file(e.path(), dir / "src" / e.path().filename());
    std::string patched = apply_mutant(m, read_all(fs::path(b.sources) / m.file));
    std::ofstream(dir / "src" / m.file) << patched;

    bool header = fs::path(m.file).extension() == ".hpp";
    std::string changed = (fs::path(b.sources) / m.file).string();
    std::string objects;
    bool ok = true;
    for (const char* kind : {"lib", "tests"}) {
        fs::path from = fs::path(b.objects) / kind;
        for (const auto& e : fs::directory_iterator(from)) {
            if (e.path().extension() != ".o" || e.path().stem() == "demo") continue;
            std::string stem = e.path().stem().string();
            fs::path dep = from / (stem + ".d");
            bool lib = std::string(kind) == "lib";
            bool rebuild = lib && !header ? stem == fs::path(m.file).stem().string()
                                          : header && depends_on(dep, changed);
            if (!rebuild) {
                objects += " " + e.path().string();
                continue;
            }
            fs::path source =
                lib ? dir / "src" / (stem + ".cpp") : fs::path(b.tests) / (stem + ".cpp");
            fs::path object = dir / (std::string(kind) + "-" + stem + ".o");
            ok = ok && run(b.compile + " -I" + (dir / "src").string() + " " + b.includes + " -c " +
                               source.string() + " -o " + object.string(),
                           log);
            objects += " " + object.string();
        }
    }
    std::string binary = (dir / "test").string();
    ok = ok && run(b.compile + objects + " " + b.link_tail + " -o " + binary, log);
    return ok ? binary : "";
}

Verdict judge(const Manifest& manifest, const Mutant& m, RunOptions options) {
    std::vector<GradedTest> mapped, timing;
    for (const auto& t : manifest.tests)
        if (std::count(t.exercises.begin(), t.exercises.end(), m.exercise))
            (t.timing ? timing : mapped).push_back(t);
    if (mapped.empty() && timing.empty())
        return {false, "no test has " + m.exercise + " in its ex="};
    // The tests that grade this exercise most directly first (fewest exercises
    // in their ex=), timing tests last; the first one that catches the mutant
    // ends the run, so a caught mutant costs one test or a few.
    auto direct = [](const GradedTest& a, const GradedTest& b) {
        return a.exercises.size() < b.exercises.size();
    };
    std::stable_sort(mapped.begin(), mapped.end(), direct);
    std::stable_sort(timing.begin(), timing.end(), direct);
    mapped.insert(mapped.end(), timing.begin(), timing.end());
    Verdict verdict{false, "every test mapped to " + m.exercise + " passes on it"};
    for (const auto& test : mapped) {
        Outcome outcome = run_tests(options, {test}, [](std::size_t, const Outcome&) {}).front();
        if (earns_points(outcome.status)) continue;
        auto suspects = suspects_of(manifest, test, outcome, /*precise=*/false);
        if (std::count(suspects.begin(), suspects.end(), m.exercise))
            return {true, test.name + " (" + status_word(outcome.status) + ")"};
        verdict.how = test.name + " fails but names " + suspects.front() + ", not " + m.exercise;
    }
    return verdict;
}

} // namespace

int run_mutants(const Manifest& manifest, const MutantBuild& build, RunOptions options,
                const std::string& record_file) {
    if (!build.sample.empty() && build.sample != "first-per-exercise" &&
        build.sample != "design-and-alternate") {
        std::printf("  unknown mutant sample \"%s\" (first-per-exercise, design-and-alternate)\n",
                    build.sample.c_str());
        return 2;
    }
    auto mutants = load_mutants(build.tests + "/mutants");
    std::set<std::string> covered;
    for (const auto& m : mutants)
        covered.insert(m.exercise);
    int problems = 0;
    if (build.only.empty())
        for (const auto& e : manifest.exercises) {
            bool has = covered.count(e.id) > 0;
            problems += !has;
            if (!has) std::printf("  NO MUTANT  %s: no mutant grades its traps\n", e.id.c_str());
            record(record_file, has,
                   "chapter " + manifest.number + " " + e.id + " has a mutant (mutants)");
        }
    std::erase_if(mutants,
                  [&](const Mutant& m) { return !build.only.empty() && m.name != build.only; });
    if (!build.sample.empty()) {
        std::set<std::string> sampled; // the exercises whose first mutant runs
        int others = 0;
        for (const auto& e : manifest.exercises)
            if (build.sample == "first-per-exercise" || e.design || others++ % 2 == 0)
                sampled.insert(e.id);
        std::set<std::string> kept;
        std::erase_if(mutants, [&](const Mutant& m) {
            return !sampled.count(m.exercise) || !kept.insert(m.exercise).second;
        });
    }
    options.jobs = 1; // one test at a time per mutant; mutants run side by side
    std::mutex print;
    std::atomic<std::size_t> next{0};
    std::atomic<int> survived{0};
    auto worker = [&] {
        for (std::size_t i; (i = next++) < mutants.size();) {
            const Mutant& m = mutants[i];
            fs::path dir = fs::path(build.work) / m.name;
            std::string log = (fs::path(build.work) / (m.name + ".log")).string();
            std::ofstream(log).close();
            Verdict v;
            try {
                options.binary = build_mutant(m, build, dir, log);
                v = options.binary.empty() ? Verdict{false, "does not build: see " + log}
                                           : judge(manifest, m, options);
            } catch (const std::exception& e) {
                v = {false, e.what()};
            }
            survived += !v.caught;
            std::lock_guard<std::mutex> lock(print);
            std::printf("  %-8s  %-22s %s: %s\n", v.caught ? "CAUGHT" : "SURVIVED",
                        m.exercise.c_str(), m.name.c_str(), v.how.c_str());
            if (!v.caught) std::printf("%12sthe trap: %s\n", "", m.trap.c_str());
            std::fflush(stdout);
            record(record_file, v.caught,
                   "chapter " + manifest.number + " mutant " + m.name + " caught (mutants)");
            if (v.caught) fs::remove_all(dir);
        }
    };
    std::vector<std::thread> workers;
    for (int j = 0; j < std::max(1, build.jobs); ++j)
        workers.emplace_back(worker);
    for (auto& w : workers)
        w.join();
    std::printf("  chapter %s: %zu of %zu mutants caught\n", manifest.number.c_str(),
                mutants.size() - survived, mutants.size());
    return survived == 0 && problems == 0 ? 0 : 1;
}

} // namespace grader
