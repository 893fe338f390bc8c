// What `make test` checks of the hints (checks.hpp): a README shows only the
// first stage of each exercise's hints, and no hint speaks of code that scratch
// depth blanks (`make reset DEPTH=scratch` removes given code inside a
// //@scratch region along with the exercises in it).
#include <cstdio>
#include <filesystem>
#include <regex>
#include <set>

#include "checks.hpp"
#include "text.hpp"

namespace grader {

namespace fs = std::filesystem;
using namespace looplab_tools;

namespace {

std::string squeezed(const std::string& s) {
    return std::regex_replace(s, std::regex("\\s+"), " ");
}

// The chapter's code, split by what scratch depth does to it.
struct ScratchView {
    std::set<std::string> blanked_locals;   // declared in given code inside a scratch region
    std::set<std::string> visible;          // identifiers outside every scratch region
    std::set<std::string> inside_exercises; // exercise ids nested in a scratch region
};

void add_identifiers(const std::string& line, std::set<std::string>& into) {
    static const std::regex word("[A-Za-z_][A-Za-z0-9_]*");
    for (std::sregex_iterator it(line.begin(), line.end(), word), end; it != end; ++it)
        into.insert(it->str());
}

void add_declared(const std::string& line, std::set<std::string>& into) {
    static const std::regex decl("\\b([A-Za-z_][\\w:]*(?:<[^;=(){}]*>)?)\\s*[&*]*\\s+"
                                 "([A-Za-z_]\\w*)\\s*(?:=|\\{|;|\\(|:[^:])");
    static const std::set<std::string> not_types = {
        "return", "co_return", "co_await",  "co_yield", "throw",    "else",  "case",   "new",
        "delete", "using",     "namespace", "goto",     "typename", "class", "struct", "not"};
    for (std::sregex_iterator it(line.begin(), line.end(), decl), end; it != end; ++it)
        if (!not_types.count((*it)[1].str())) into.insert((*it)[2].str());
}

ScratchView scratch_view(const std::string& sources) {
    ScratchView view;
    for (const auto& e : fs::directory_iterator(sources)) {
        auto ext = e.path().extension();
        if (ext != ".cpp" && ext != ".hpp") continue;
        int scratch = 0, exercise = 0; // open regions of each kind
        std::vector<bool> kinds;       // open regions, true for scratch
        for (const auto& raw : split_lines(read_text(e.path()))) {
            std::string line = trim_left(raw);
            auto words = split_words(line);
            if (starts_with(line, "//@scratch") || starts_with(line, "//@exercise")) {
                bool is_scratch = starts_with(line, "//@scratch");
                kinds.push_back(is_scratch);
                (is_scratch ? scratch : exercise)++;
                if (!is_scratch && scratch > 0 && words.size() > 1)
                    view.inside_exercises.insert(words[1]);
            } else if (starts_with(line, "//@end") && !kinds.empty()) {
                (kinds.back() ? scratch : exercise)--;
                kinds.pop_back();
            } else if (starts_with(line, "//")) {
                continue;
            } else if (scratch == 0) {
                add_identifiers(line, view.visible);
            } else if (exercise == 0) {
                add_declared(line, view.blanked_locals);
            }
        }
    }
    return view;
}

} // namespace

int check_hint_stages(const Manifest& m, const std::string& readme,
                      const std::string& record_file) {
    std::string text = squeezed(read_text(readme));
    int shown = 0;
    for (const auto& e : m.exercises)
        for (std::size_t i = 1; i < e.hints.size(); ++i) {
            std::string hint = squeezed(e.hints[i]);
            if (hint.size() < 30 || text.find(hint) == std::string::npos) continue;
            std::printf("  HINT IN README  %s: stage %zu is in the README; it must come from "
                        "make hint\n",
                        e.id.c_str(), i + 1);
            ++shown;
        }
    record(record_file, shown == 0,
           "chapter " + m.number + " the README shows the first hint stage only (exercises)");
    return shown == 0 ? 0 : 1;
}

int check_scratch_hints(const Manifest& m, const std::string& sources,
                        const std::string& record_file) {
    ScratchView view = scratch_view(sources);
    static const std::regex ticked("`([^`]+)`");
    static const std::regex given("\\bgiven code\\b|\\bcode (that )?(follows|below|above)\\b",
                                  std::regex::icase);
    int problems = 0;
    for (const auto& e : m.exercises)
        for (std::size_t i = 0; i < e.hints.size(); ++i) {
            const std::string& hint = e.hints[i];
            std::set<std::string> named;
            for (std::sregex_iterator it(hint.begin(), hint.end(), ticked), end; it != end; ++it)
                add_identifiers((*it)[1].str(), named);
            for (const auto& id : named) {
                if (!view.blanked_locals.count(id) || view.visible.count(id)) continue;
                std::printf("  SCRATCH HINT  %s hint %zu names `%s`, declared only in code that "
                            "scratch depth blanks\n",
                            e.id.c_str(), i + 1, id.c_str());
                ++problems;
            }
            if (view.inside_exercises.count(e.id) && std::regex_search(hint, given)) {
                std::printf("  SCRATCH HINT  %s hint %zu speaks of given code, which scratch "
                            "depth blanks\n",
                            e.id.c_str(), i + 1);
                ++problems;
            }
        }
    record(record_file, problems == 0,
           "chapter " + m.number + " no hint names code that scratch depth blanks (exercises)");
    return problems == 0 ? 0 : 1;
}

} // namespace grader
