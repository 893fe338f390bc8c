// Maps exercises to the functions around them and stack frames back to
// exercises (exercise_sites.hpp).
#include "exercise_sites.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace grader {

namespace {

std::size_t indentation(const std::string& line) {
    std::size_t n = line.find_first_not_of(' ');
    return n == std::string::npos ? line.size() : n;
}

// The name of the function a header line declares: the identifier before its
// first '(' unless that is a keyword ("if (", "for (").
std::string declared_name(const std::string& line) {
    static const std::regex call(R"(([A-Za-z_~][A-Za-z0-9_]*)\s*\()");
    static const std::set<std::string> keywords{
        "if",     "for",      "while",    "switch",    "catch",         "return",
        "sizeof", "decltype", "co_await", "co_return", "static_assert", "noexcept"};
    static const std::regex op(R"((operator\s*[^\s(]+)\s*\()");
    std::smatch found;
    if (std::regex_search(line, found, op)) return found[1];
    if (!std::regex_search(line, found, call) || keywords.count(found[1])) return "";
    return found[1];
}

// Walks up from the marker to the nearest less-indented line that declares a
// function; a lambda or block header in between only lowers the threshold.
std::string function_around(const std::vector<std::string>& lines, std::size_t marker) {
    std::size_t threshold = indentation(lines[marker]);
    for (std::size_t i = marker; i-- > 0;) {
        const std::string& line = lines[i];
        std::size_t indent = indentation(line);
        if (indent == line.size() || indent >= threshold) continue;
        if (line.compare(indent, 2, "//") == 0) continue;
        std::string name = declared_name(line);
        if (!name.empty()) return name;
        threshold = indent;
        if (threshold == 0) break;
    }
    return "";
}

// Whether a stack frame's text names `function` ("...::settle(" or " run<").
bool names_function(const std::string& frame, const std::string& function) {
    if (function.empty()) return false;
    for (std::size_t at = frame.find(function); at != std::string::npos;
         at = frame.find(function, at + 1)) {
        char before = at == 0 ? ' ' : frame[at - 1];
        std::size_t end = at + function.size();
        char after = end < frame.size() ? frame[end] : ' ';
        if ((before == ':' || before == ' ') && (after == '(' || after == '<')) return true;
    }
    return false;
}

} // namespace

void locate_exercise_functions(Manifest& manifest) {
    fs::path chapter = fs::path(manifest.path).parent_path();
    fs::path sources = chapter.parent_path().parent_path() / "solutions" / chapter.filename();
    std::error_code error;
    if (!fs::is_directory(sources, error)) return;
    static const std::regex marker(R"(//@exercise\s+([A-Za-z0-9_.]+))");
    for (const auto& entry : fs::directory_iterator(sources, error)) {
        auto extension = entry.path().extension();
        if (extension != ".cpp" && extension != ".hpp") continue;
        std::ifstream in(entry.path());
        std::vector<std::string> lines;
        for (std::string line; std::getline(in, line);)
            lines.push_back(line);
        for (std::size_t i = 0; i < lines.size(); ++i) {
            std::smatch found;
            if (!std::regex_search(lines[i], found, marker)) continue;
            for (auto& exercise : manifest.exercises)
                if (exercise.id == found[1] && exercise.function.empty())
                    exercise.function = function_around(lines, i);
        }
    }
}

std::vector<std::string> exercises_in_stack(const Manifest& manifest,
                                            const std::vector<std::string>& candidates,
                                            const std::string& output) {
    static const std::regex frame(R"(^\s+#\d+ )");
    std::vector<std::string> found;
    bool in_stack = false;
    std::istringstream in(output);
    for (std::string line; std::getline(in, line);) {
        if (!std::regex_search(line, frame)) {
            if (in_stack) break; // the first stack trace only: where it went wrong
            continue;
        }
        in_stack = true;
        for (const auto& id : candidates) {
            const Exercise* exercise = manifest.find_exercise(id);
            if (exercise && names_function(line, exercise->function) &&
                std::find(found.begin(), found.end(), id) == found.end())
                found.push_back(id);
        }
    }
    return found;
}

} // namespace grader
