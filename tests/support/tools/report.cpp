// The grader's output: terminal lines for the learner, files for the teacher.
#include "report.hpp"

#include <cctype>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "exercise_sites.hpp"
#include "hints.hpp"

namespace grader {

namespace fs = std::filesystem;

namespace {

const char* const GREEN = "\033[32m";
const char* const RED = "\033[31m";
const char* const YELLOW = "\033[33m";
const char* const BOLD = "\033[1m";

const char* colour_of(Status s) {
    switch (s) {
    case Status::PASS: return GREEN;
    case Status::SKIP: return YELLOW;
    case Status::TODO: return YELLOW;
    default: return RED;
    }
}

std::string pad(std::string s, std::size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

std::string json_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\', out += c;
        else if (c == '\n')
            out += "\\n";
        else if ((unsigned char)c >= 0x20)
            out += c;
    }
    return out;
}

} // namespace

std::string Style::paint(const std::string& text, const char* ansi) const {
    return colour ? std::string(ansi) + text + "\033[0m" : text;
}

std::string status_word(Status s) {
    switch (s) {
    case Status::PASS: return "PASS";
    case Status::SKIP: return "SKIP";
    case Status::FAIL: return "FAIL";
    case Status::TODO: return "TODO";
    case Status::CRASH: return "CRASH";
    case Status::TIMEOUT: return "TIMEOUT";
    case Status::MISSING: return "MISSING";
    }
    return "?";
}

std::string bar(int score, int width) {
    int filled = std::clamp(score * width / 100, 0, width);
    return "[" + std::string(filled, '#') + std::string(width - filled, '-') + "]";
}

void print_result(const Style& style, const GradedTest& test, const Outcome& outcome) {
    int earned = earns_points(outcome.status) ? test.points : 0;
    std::string points = std::to_string(earned) + "/" + std::to_string(test.points);
    std::string first_line = outcome.detail.substr(0, outcome.detail.find('\n'));
    if (test.given) first_line = "(given, 0 points: a check of the kit itself) " + first_line;
    std::printf("  %s %6s  %s  %s\n",
                style.paint(pad(status_word(outcome.status), 7), colour_of(outcome.status)).c_str(),
                points.c_str(), pad(test.name, 44).c_str(), first_line.c_str());
    if (outcome.status != Status::FAIL || outcome.detail.find('\n') == std::string::npos) return;
    std::istringstream rest(outcome.detail.substr(outcome.detail.find('\n') + 1));
    for (std::string line; std::getline(rest, line);)
        std::printf("%17s%s\n", "", line.c_str());
}

void print_score(const Style& style, int score, int passed, int total) {
    std::printf("\n  %s  %s  %d of %d tests pass\n",
                style.paint("score " + std::to_string(score) + "/100", BOLD).c_str(),
                bar(score).c_str(), passed, total);
}

void print_timing_report(const std::vector<GradedTest>& tests,
                         const std::vector<Outcome>& outcomes) {
    bool any = false;
    for (std::size_t i = 0; i < tests.size(); ++i) {
        if (outcomes[i].timing.empty()) continue;
        if (!any) std::printf("\n  timing report (measured just now; shared machines are noisy)\n");
        any = true;
        for (const auto& line : outcomes[i].timing)
            std::printf("    %s  %s\n", pad(tests[i].name, 40).c_str(), line.c_str());
    }
}

std::set<std::string> stubs_left_in(const std::string& dir) {
    static const std::regex stub(
        R"re((NotImplemented|not_implemented_abort)\("([A-Za-z0-9_.]+)"\))re");
    std::set<std::string> ids;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        std::ifstream in(entry.path());
        std::ostringstream text;
        text << in.rdbuf();
        std::string source = text.str();
        for (auto it = std::sregex_iterator(source.begin(), source.end(), stub);
             it != std::sregex_iterator(); ++it)
            ids.insert((*it)[2]);
    }
    return ids;
}

const Exercise* next_exercise(const Manifest& manifest, const std::vector<Outcome>& outcomes,
                              const std::optional<std::set<std::string>>& stubs_left) {
    if (stubs_left) {
        for (const auto& exercise : manifest.exercises)
            if (stubs_left->count(exercise.id)) return &exercise;
    }
    auto earliest = [&](bool todo) {
        const Exercise* best = nullptr;
        std::size_t best_rank = manifest.exercises.size();
        for (std::size_t i = 0; i < outcomes.size(); ++i) {
            const auto& o = outcomes[i];
            if (earns_points(o.status) || (o.status == Status::TODO) != todo) continue;
            std::vector<std::string> ids{o.detail.substr(o.detail.find(": ") + 2)};
            if (!todo) ids = suspects_of(manifest, manifest.tests[i], o);
            for (std::size_t rank = 0; rank < manifest.exercises.size(); ++rank)
                if (std::count(ids.begin(), ids.end(), manifest.exercises[rank].id) &&
                    rank < best_rank)
                    best_rank = rank, best = &manifest.exercises[rank];
        }
        return best;
    };
    const Exercise* todo = earliest(true);
    return todo ? todo : earliest(false);
}

std::string suspect_of(const Manifest& manifest, const GradedTest& test) {
    std::string suspect;
    for (const auto& exercise : manifest.exercises)
        for (const auto& id : test.exercises)
            if (id == exercise.id) suspect = id;
    return suspect;
}

namespace {

// Whether `text` names `id` as a whole word ("ch10.read" is not in "ch10.read_line").
bool names(const std::string& text, const std::string& id) {
    auto word = [](char c) { return std::isalnum((unsigned char)c) || c == '_'; };
    for (std::size_t at = text.find(id); at != std::string::npos; at = text.find(id, at + 1)) {
        std::size_t end = at + id.size();
        if ((at == 0 || !word(text[at - 1])) && (end == text.size() || !word(text[end])))
            return true;
    }
    return false;
}

} // namespace

std::vector<std::string> suspects_of(const Manifest& manifest, const GradedTest& test,
                                     const Outcome& outcome, bool precise) {
    std::vector<std::string> named, all;
    for (const auto& exercise : manifest.exercises)
        for (const auto& id : test.exercises)
            if (id == exercise.id) {
                all.push_back(id);
                if (names(outcome.output, id)) named.push_back(id);
            }
    if (!named.empty()) return named;
    if (!precise) return all;
    // A crash or a data race names no exercise: its stack trace may name the
    // functions of some (innermost first, so the first is where it broke).
    std::vector<std::string> in_stack = exercises_in_stack(manifest, all, outcome.output);
    return in_stack.empty() ? all : in_stack;
}

void print_next(const Style& style, const Manifest& manifest, const Exercise& exercise) {
    std::printf("\n  %s %s (%s)\n", style.paint("next:", BOLD).c_str(), exercise.id.c_str(),
                exercise.difficulty.c_str());
    if (!exercise.hints.empty()) std::printf("    hint 1: %s\n", exercise.hints[0].c_str());
    std::printf("    more hints: make hint CH=%s   the chapter text: lessons/%s-*/README.md\n",
                manifest.number.c_str(), manifest.number.c_str());
}

void write_grades(const std::string& dir, const Manifest& manifest, const std::string& graded,
                  const std::vector<Outcome>& outcomes, int score) {
    fs::create_directories(dir);
    int passed = 0;
    std::ofstream json(dir + "/" + manifest.number + ".json");
    json << "{\"chapter\": \"" << manifest.number << "\", \"title\": \""
         << json_escape(manifest.title) << "\", \"graded\": \"" << json_escape(graded)
         << "\", \"score\": " << score << ", \"tests\": [";
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        const auto& t = manifest.tests[i];
        bool ok = earns_points(outcomes[i].status);
        passed += ok;
        json << (i ? ", " : "") << "{\"name\": \"" << t.name << "\", \"status\": \""
             << status_word(outcomes[i].status) << "\", \"points\": " << (ok ? t.points : 0)
             << ", \"max\": " << t.points << "}";
    }
    json << "]}\n";
    std::ofstream(dir + "/" + manifest.number + ".tsv")
        << manifest.number << "\t" << manifest.title << "\t" << score << "\t" << passed << "\t"
        << outcomes.size() << "\t" << graded << "\n";
}

namespace {

// Exercise ids shown with `make reveal`, by chapter number ("ch02.push" -> "02").
std::map<std::string, std::set<std::string>> revealed_in(const std::string& dir) {
    std::map<std::string, std::set<std::string>> revealed;
    std::ifstream in(dir + "/revealed");
    for (std::string id; in >> id;)
        if (id.size() > 4) revealed[id.substr(2, 2)].insert(id);
    return revealed;
}

std::string json_list(const std::set<std::string>& ids) {
    std::string out = "[";
    for (const auto& id : ids)
        out += (out.size() > 1 ? ", \"" : "\"") + json_escape(id) + "\"";
    return out + "]";
}

} // namespace

// "hints: 2 of 3 on ch06.gather_cancel, ..." for the exercises of one chapter
// whose hints were asked for past the first stage (which the README shows).
std::string hints_line(const std::map<std::string, StageSeen>& seen, const std::string& number,
                       std::string& json) {
    std::string line;
    json = "{";
    for (const auto& [id, s] : seen) {
        if (id.size() < 5 || id.substr(2, 2) != number || s.stage < 2) continue;
        line += (line.empty() ? "  hints: " : ", ") + std::to_string(s.stage) + " of " +
                std::to_string(s.total) + " on " + id;
        json += (json.size() > 1 ? ", \"" : "\"") + json_escape(id) + "\": [" +
                std::to_string(s.stage) + ", " + std::to_string(s.total) + "]";
    }
    json += "}";
    return line;
}

int print_grade_table(const Style& style, const std::string& dir) {
    auto revealed = revealed_in(dir);
    auto seen = hint_stages_seen(dir);
    std::map<std::string, std::string> rows; // chapter number -> tsv line
    if (fs::exists(dir))
        for (const auto& e : fs::directory_iterator(dir))
            if (e.path().extension() == ".tsv") {
                std::ifstream in(e.path());
                std::getline(in, rows[e.path().stem().string()]);
            }
    std::printf("\n  %s\n", style.paint("looplab grades", BOLD).c_str());
    int total = 0;
    std::string json = "[";
    for (const auto& [number, line] : rows) {
        std::istringstream in(line);
        std::string chapter, title, score, passed, count, graded;
        std::getline(in, chapter, '\t'), std::getline(in, title, '\t');
        std::getline(in, score, '\t'), std::getline(in, passed, '\t');
        std::getline(in, count, '\t'), std::getline(in, graded);
        int s = std::stoi(score);
        total += s;
        std::string shown;
        for (const auto& id : revealed[number])
            shown += (shown.empty() ? "  revealed: " : ", ") + id;
        std::string hints_json;
        shown += hints_line(seen, number, hints_json);
        std::printf("  %s %s %7s/100  %s  %s/%s tests%s\n", chapter.c_str(), pad(title, 36).c_str(),
                    score.c_str(), bar(s).c_str(), passed.c_str(), count.c_str(), shown.c_str());
        std::ifstream chapter_json(dir + "/" + number + ".json");
        std::string body((std::istreambuf_iterator<char>(chapter_json)), {});
        while (!body.empty() && (body.back() == '\n' || body.back() == '}'))
            body.pop_back();
        body +=
            ", \"revealed\": " + json_list(revealed[number]) + ", \"hints\": " + hints_json + "}";
        json += (json.size() > 1 ? ",\n " : "") + body;
    }
    std::printf("  %s %7d/%zu\n", pad("total", 39).c_str(), total, rows.size() * 100);
    std::ofstream(fs::path(dir).parent_path() / "grades.json") << json << "]\n";
    std::printf("  (written to %s)\n", (fs::path(dir).parent_path() / "grades.json").c_str());
    return 0;
}

} // namespace grader
