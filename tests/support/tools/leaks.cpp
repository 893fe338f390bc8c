// Answers in the text, the learner's share, and `make reveal` (see checks.hpp).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "checks.hpp"
#include "text.hpp"

namespace grader {

namespace fs = std::filesystem;
using namespace looplab_tools;

namespace {

std::string squeeze(const std::string& s) {
    std::string out;
    for (char c : s) {
        bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
        if (space && (out.empty() || out.back() == ' ')) continue;
        out += space ? ' ' : c;
    }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

bool is_comment(const std::string& line) {
    return starts_with(line, "//") || starts_with(line, "*") || starts_with(line, "/*");
}

struct Block {
    std::string id, file;
    std::size_t line = 0;
    std::vector<std::string> raw;  // the region's lines as written
    std::vector<std::string> code; // its code lines, white space squeezed
};

std::vector<fs::path> library_files(const std::string& sources) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(sources)) {
        auto ext = e.path().extension();
        if ((ext == ".cpp" || ext == ".hpp") && e.path().filename() != "demo.cpp")
            files.push_back(e.path());
    }
    return files;
}

// Every exercise region of the chapter; `library_lines` counts its code lines.
std::vector<Block> exercise_blocks(const std::string& sources, int& library_lines) {
    std::vector<Block> blocks;
    library_lines = 0;
    for (const auto& path : library_files(sources)) {
        auto lines = split_lines(read_text(path));
        Block* open = nullptr;
        for (std::size_t i = 0; i < lines.size(); ++i) {
            std::string body = trim_left(lines[i]);
            if (!body.empty() && !is_comment(body)) ++library_lines;
            if (starts_with(body, "//@exercise")) {
                auto words = split_words(body);
                blocks.push_back({words.size() > 1 ? words[1] : "", path.string(), i + 1, {}, {}});
                open = &blocks.back();
            } else if (open && starts_with(body, "//@end")) {
                open = nullptr;
            } else if (open && !starts_with(body, "//@stub")) {
                open->raw.push_back(lines[i]);
                if (!body.empty() && !is_comment(body)) open->code.push_back(squeeze(body));
            }
        }
    }
    return blocks;
}

bool is_trivial(const std::string& line) {
    static const std::set<std::string> trivial = {"} else {", "return true;", "return false;"};
    return line.size() < 12 || trivial.count(line);
}

} // namespace

int check_leaks(const Manifest& m, const std::string& sources, const std::string& readme,
                const std::string& record_file) {
    std::string hay = squeeze(read_text(readme)) + " " + squeeze(read_text(m.path));
    int library_lines = 0, learner_lines = 0, leaking = 0;
    for (const auto& block : exercise_blocks(sources, library_lines)) {
        learner_lines += (int)block.code.size();
        for (const auto& line : block.code) {
            if (is_trivial(line) || hay.find(line) == std::string::npos) continue;
            std::printf("  ANSWER IN TEXT  %s: \"%s\" is in the README or the manifest\n",
                        block.id.c_str(), line.c_str());
            ++leaking;
            break;
        }
    }
    int share = library_lines ? 100 * learner_lines / library_lines : 0;
    std::printf("  chapter %s: the learner writes %d of %d library lines (%d %%); %d exercises "
                "with answer lines in the text\n",
                m.number.c_str(), learner_lines, library_lines, share, leaking);
    record(record_file, leaking == 0,
           "chapter " + m.number + " no exercise's answer in README or hints (exercises)");
    record(record_file, share >= 25,
           "chapter " + m.number + " the learner writes >= 25 % of the library code (" +
               std::to_string(share) + " %) (exercises)");
    return leaking == 0 && share >= 25 ? 0 : 1;
}

namespace {

bool is_word_char(char c) {
    return std::isalnum((unsigned char)c) || c == '_';
}

// From the '(' at `open`, the index just past its matching ')' (literals skipped).
std::size_t past_parens(const std::string& text, std::size_t open) {
    int depth = 0;
    for (std::size_t i = open; i < text.size(); ++i) {
        char c = text[i];
        if (c == '"' || c == '\'') {
            for (++i; i < text.size() && text[i] != c; ++i)
                if (text[i] == '\\') ++i;
        } else if (c == '(') {
            ++depth;
        } else if (c == ')' && --depth == 0) {
            return i + 1;
        }
    }
    return text.size();
}

// The EXPECT_*/ASSERT_* statements of one file that stream no message to say
// what they expected: "file:line".
std::vector<std::string> bare_assertions(const fs::path& path) {
    std::vector<std::string> bare;
    std::string text = read_text(path);
    for (const char* macro : {"EXPECT_", "ASSERT_"}) {
        for (std::size_t at = 0; (at = text.find(macro, at)) != std::string::npos; ++at) {
            if (at > 0 && is_word_char(text[at - 1])) continue;
            std::size_t open = at;
            while (open < text.size() && is_word_char(text[open]))
                ++open;
            if (open >= text.size() || text[open] != '(') continue;
            std::size_t line_start = text.rfind('\n', at) + 1;
            if (trim_left(text.substr(line_start, at - line_start)).rfind("#", 0) == 0) continue;
            std::size_t end = past_parens(text, open);
            std::size_t semicolon = text.find(';', end);
            if (text.substr(end, semicolon - end).find("<<") != std::string::npos) continue;
            auto line = std::count(text.begin(), text.begin() + at, '\n') + 1;
            bare.push_back(path.generic_string() + ":" + std::to_string(line));
        }
    }
    return bare;
}

} // namespace

int check_assertion_messages(const Manifest& m, const std::string& tests_dir,
                             const std::string& record_file) {
    std::vector<std::string> bare;
    for (const auto& e : fs::directory_iterator(tests_dir)) {
        auto ext = e.path().extension();
        if (ext != ".cpp" && ext != ".hpp") continue;
        for (auto& where : bare_assertions(e.path()))
            bare.push_back(where);
    }
    std::sort(bare.begin(), bare.end());
    for (std::size_t i = 0; i < bare.size() && i < 10; ++i)
        std::printf("  BARE ASSERTION  %s: say in words what it expected (<< \"...\")\n",
                    bare[i].c_str());
    if (bare.size() > 10) std::printf("  ... and %zu more\n", bare.size() - 10);
    record(record_file, bare.empty(),
           "chapter " + m.number + " every assertion says what it expected (" +
               std::to_string(bare.size()) + " bare) (exercises)");
    return bare.empty() ? 0 : 1;
}

std::string reference_block(const std::string& sources, const std::string& exercise) {
    int ignored = 0;
    for (const auto& block : exercise_blocks(sources, ignored))
        if (block.id == exercise)
            return block.file + ":" + std::to_string(block.line) + "\n" + join(block.raw, "\n") +
                   "\n";
    return "";
}

} // namespace grader
