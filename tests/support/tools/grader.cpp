// The grader: grades a chapter's test binary against its manifest.
//
//   grader check    --manifest M --binary B [--graded TEXT] [--test T] [--failfast]
//                   [--jobs N] [--grades DIR] [--record FILE] [--record-label TEXT]
//                   [--quiet] [--timeout-scale X] [--sources DIR]
//                   (DIR: the learner's chapter, to name the first exercise still a stub)
//   grader stubs    --manifest M --binary B [--jobs N] [--record FILE]
//                   every graded test must FAIL on the pristine lesson stubs
//   grader validate --manifest M --binary B --sources DIR [--record FILE]
//   grader hint     --manifest M [--exercise ID | --next-file F] [--grades DIR] [--stage all|N]
//   grader probe    --manifest M --binary B --probe-dir D [--jobs N] [--record FILE]
//                   the exercise map (ex=) and the score after each exercise
//   grader leaks    --manifest M --sources DIR --readme FILE [--record FILE]
//   grader reveal   --sources DIR --exercise ID [--grades DIR]
//   grader mutants  --manifest M --sources DIR --tests DIR --objects DIR --work DIR
//                   --compile CMD --includes FLAGS --link-tail OBJS [--only NAME] [--jobs N]
//                   [--sample first-per-exercise|design-and-alternate]
//                   each trap's mutant must fail a test mapped to its exercise (mutants.hpp)
//   grader table    --grades DIR
//   grader record   --record FILE (--pass|--fail) TEXT
//   grader summary  --records DIR
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "checks.hpp"
#include "hints.hpp"
#include "manifest.hpp"
#include "mutants.hpp"
#include "report.hpp"
#include "runner.hpp"

namespace fs = std::filesystem;
using namespace grader;

void grader::record(const std::string& file, bool ok, const std::string& text) {
    if (file.empty()) return;
    std::ofstream(file, std::ios::app) << (ok ? "PASS " : "FAIL ") << text << "\n";
}

namespace {

struct Args {
    std::string mode;
    std::map<std::string, std::string> values; // --name value
    std::set<std::string> flags;               // --name
    std::string rest;                          // a trailing free text (record)

    std::string get(const std::string& key, const std::string& fallback = "") const {
        auto it = values.find(key);
        return it == values.end() ? fallback : it->second;
    }
    bool has(const std::string& flag) const { return flags.count(flag) > 0; }
};

Args parse(int argc, char** argv) {
    static const std::set<std::string> flag_names = {"--failfast", "--quiet", "--pass", "--fail"};
    Args args;
    args.mode = argc > 1 ? argv[1] : "";
    for (int i = 2; i < argc; ++i) {
        std::string a = argv[i];
        if (flag_names.count(a))
            args.flags.insert(a);
        else if (a.rfind("--", 0) == 0 && i + 1 < argc)
            args.values[a] = argv[++i];
        else
            args.rest = a;
    }
    return args;
}

Style terminal_style() {
    return Style{isatty(1) != 0 && std::getenv("NO_COLOR") == nullptr};
}

RunOptions run_options(const Args& args) {
    RunOptions o;
    o.binary = args.get("--binary");
    o.jobs = std::stoi(args.get("--jobs", "2"));
    o.failfast = args.has("--failfast");
    o.timeout_scale = std::stod(args.get("--timeout-scale", "1"));
    return o;
}

// What the learner sees under a failing line: the exercise it points at when
// no stub explains it, and for a crash the command that finds the bad access.
void print_suspect(const Manifest& m, const GradedTest& test, const Outcome& o) {
    if (earns_points(o.status) || o.status == Status::TODO) return;
    auto suspects = suspects_of(m, test, o);
    std::string list;
    for (const auto& id : suspects)
        list += (list.empty() ? "" : ", ") + id;
    if (!list.empty())
        std::printf("%17s%s: %s\n", "", suspects.size() == 1 ? "suspect" : "suspects (one of)",
                    list.c_str());
    if (o.status == Status::CRASH)
        std::printf("%17sfind it: make check CH=%s T=%s SAN=address,undefined\n", "",
                    m.number.c_str(), test.name.c_str());
}

// Remembers what `make hint` shows next: an exercise id, or "done".
void write_next(const Args& args, const Manifest& m, const Exercise* next) {
    if (args.get("--grades").empty()) return;
    fs::create_directories(args.get("--grades"));
    std::ofstream(args.get("--grades") + "/" + m.number + ".next")
        << (next ? next->id : "done") << "\n";
}

int check(const Args& args) {
    Manifest m = load_manifest(args.get("--manifest"));
    Style style = terminal_style();
    bool quiet = args.has("--quiet");
    std::string only = args.get("--test");
    auto tests = m.tests;
    if (!only.empty()) {
        std::erase_if(tests, [&](const GradedTest& t) { return t.name != only; });
        if (tests.empty()) tests.push_back({only, 0, 10, false, false, {}});
    }
    std::printf("%s\n", style.paint("chapter " + m.number + " · " + m.title, "\033[1m").c_str());
    if (!args.get("--graded").empty())
        std::printf("  grading %s\n\n", args.get("--graded").c_str());
    int score = 0, passed = 0;
    auto outcomes = run_tests(run_options(args), tests, [&](std::size_t i, const Outcome& o) {
        if (!only.empty()) std::fputs(o.output.c_str(), stdout);
        if (!quiet || o.status != Status::PASS) {
            print_result(style, tests[i], o);
            print_suspect(m, tests[i], o);
        }
        std::fflush(stdout);
    });
    for (std::size_t i = 0; i < tests.size(); ++i) {
        bool ok = earns_points(outcomes[i].status);
        score += ok ? tests[i].points : 0;
        passed += ok;
        record(args.get("--record"), ok,
               "chapter " + m.number + " " + tests[i].name + " (" +
                   args.get("--record-label", "solutions") + ")");
    }
    if (!only.empty()) {
        std::printf("\n  %s: %d/%d points\n", only.c_str(), score, tests.front().points);
        return passed == (int)tests.size() ? 0 : 1;
    }
    print_score(style, score, passed, (int)tests.size());
    if (!quiet) print_timing_report(tests, outcomes);
    if (!args.get("--grades").empty())
        write_grades(args.get("--grades"), m, args.get("--graded"), outcomes, score);
    std::optional<std::set<std::string>> stubs_left;
    if (!args.get("--sources").empty()) stubs_left = stubs_left_in(args.get("--sources"));
    const Exercise* next = score == 100 ? nullptr : next_exercise(m, outcomes, stubs_left);
    write_next(args, m, next);
    if (next && !quiet) print_next(style, m, *next);
    return score == 100 ? 0 : 1;
}

int stubs(const Args& args) {
    Manifest m = load_manifest(args.get("--manifest"));
    std::vector<GradedTest> graded;
    for (const auto& t : m.tests)
        if (!t.given) graded.push_back(t);
    int passing = 0;
    run_tests(run_options(args), graded, [&](std::size_t i, const Outcome& o) {
        bool failed = !earns_points(o.status);
        passing += !failed;
        if (!failed)
            std::printf("  PASSES ON STUBS  chapter %s %s: this test asserts nothing about the "
                        "exercise (make it fail on the stub, or mark it `given` with 0 points)\n",
                        m.number.c_str(), graded[i].name.c_str());
        record(args.get("--record"), failed,
               "chapter " + m.number + " " + graded[i].name + " (fails on stubs)");
    });
    std::printf("  chapter %s: %zu of %zu graded tests fail on the pristine lesson stubs\n",
                m.number.c_str(), graded.size() - passing, graded.size());
    return passing == 0 ? 0 : 1;
}

std::set<std::string> exercise_ids_in(const std::string& dir) {
    std::set<std::string> ids;
    static const std::regex marker("//@exercise\\s+(\\S+)");
    for (const auto& e : fs::directory_iterator(dir)) {
        std::ifstream in(e.path());
        for (std::string line; std::getline(in, line);) {
            std::smatch m;
            if (std::regex_search(line, m, marker)) ids.insert(m[1]);
        }
    }
    return ids;
}

int validate_chapter(const Args& args) {
    Manifest m = load_manifest(args.get("--manifest"));
    auto problems =
        validate(m, list_tests(args.get("--binary")), exercise_ids_in(args.get("--sources")));
    for (const auto& p : problems)
        std::printf("  MANIFEST  %s\n", p.c_str());
    record(args.get("--record"), problems.empty(), "chapter " + m.number + " manifest is valid");
    return problems.empty() ? 0 : 1;
}

// `make reveal`: prints the reference block of one exercise and records that it
// was shown, so a teacher can tell earned points from revealed ones.
int reveal(const Args& args) {
    std::string id = args.get("--exercise");
    std::string block = reference_block(args.get("--sources"), id);
    if (block.empty()) {
        std::printf("no exercise %s in %s\n", id.c_str(), args.get("--sources").c_str());
        return 2;
    }
    std::printf("The reference answer of %s (recorded as revealed: make grade lists it):\n\n%s",
                id.c_str(), block.c_str());
    if (!args.get("--grades").empty()) {
        fs::create_directories(args.get("--grades"));
        std::ofstream(args.get("--grades") + "/revealed", std::ios::app) << id << "\n";
    }
    return 0;
}

// The kind of a record: its trailing "(...)", e.g. "solutions, SAN=thread".
std::string kind_of(const std::string& text) {
    std::size_t open = text.rfind(" (");
    if (text.empty() || text.back() != ')' || open == std::string::npos) return "other checks";
    return text.substr(open + 2, text.size() - open - 3);
}

int summary(const Args& args) {
    int passed = 0, failed = 0;
    std::vector<std::string> failures;
    std::map<std::string, std::pair<int, int>> by_kind; // kind -> (passed, failed)
    for (const auto& e : fs::directory_iterator(args.get("--records"))) {
        std::ifstream in(e.path());
        for (std::string line; std::getline(in, line);) {
            bool ok = line.rfind("PASS ", 0) == 0;
            (ok ? passed : failed)++;
            auto& [kind_passed, kind_failed] = by_kind[kind_of(line.substr(5))];
            (ok ? kind_passed : kind_failed)++;
            if (!ok) failures.push_back(line.substr(5));
        }
    }
    std::printf("\nmake test summary\n");
    for (const auto& [kind, counts] : by_kind)
        std::printf("  %-36s %5d passed, %d failed\n", kind.c_str(), counts.first, counts.second);
    for (const auto& f : failures)
        std::printf("  FAILED  %s\n", f.c_str());
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    Args args = parse(argc, argv);
    try {
        if (args.mode == "check") return check(args);
        if (args.mode == "stubs") return stubs(args);
        if (args.mode == "validate") return validate_chapter(args);
        if (args.mode == "hint")
            return show_hints(load_manifest(args.get("--manifest")),
                              {args.get("--exercise"), args.get("--next-file"),
                               args.get("--grades"), args.get("--stage")});
        if (args.mode == "probe") {
            RunOptions options = run_options(args);
            options.probe_dir = args.get("--probe-dir");
            return probe_chapter(load_manifest(args.get("--manifest")), options,
                                 args.get("--record"));
        }
        if (args.mode == "leaks") {
            Manifest m = load_manifest(args.get("--manifest"));
            int leaks =
                check_leaks(m, args.get("--sources"), args.get("--readme"), args.get("--record"));
            std::string tests_dir = fs::path(m.path).parent_path().string();
            int hints = check_hint_stages(m, args.get("--readme"), args.get("--record")) |
                        check_scratch_hints(m, args.get("--sources"), args.get("--record"));
            return check_assertion_messages(m, tests_dir, args.get("--record")) | leaks | hints;
        }
        if (args.mode == "mutants") {
            MutantBuild build{args.get("--sources"),
                              args.get("--tests"),
                              args.get("--objects"),
                              args.get("--work"),
                              args.get("--compile"),
                              args.get("--includes"),
                              args.get("--link-tail"),
                              args.get("--only"),
                              std::stoi(args.get("--jobs", "2")),
                              args.get("--sample")};
            return run_mutants(load_manifest(args.get("--manifest")), build, run_options(args),
                               args.get("--record"));
        }
        if (args.mode == "reveal") return reveal(args);
        if (args.mode == "table") return print_grade_table(terminal_style(), args.get("--grades"));
        if (args.mode == "summary") return summary(args);
        if (args.mode == "record") {
            record(args.get("--record"), args.has("--pass"), args.rest);
            return 0;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "grader: %s\n", e.what());
        return 2;
    }
    std::fprintf(stderr, "usage: see the comment at the top of tests/support/tools/grader.cpp\n");
    return 2;
}
