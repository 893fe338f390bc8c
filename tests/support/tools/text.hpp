// Small text helpers shared by the lesson generator and the grader: files as
// strings, lines, words, and the README's hint blocks filled from a manifest.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace looplab_tools {

inline std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

inline std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

inline std::vector<std::string> split_words(const std::string& text) {
    std::vector<std::string> words;
    std::istringstream in(text);
    for (std::string word; in >> word;)
        words.push_back(word);
    return words;
}

inline std::string join(const std::vector<std::string>& parts, const std::string& separator) {
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : separator) + p;
    return out;
}

inline std::string trim_left(const std::string& s) {
    auto start = s.find_first_not_of(" \t");
    return start == std::string::npos ? "" : s.substr(start);
}

inline bool starts_with(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

// "hint <id> <text>" lines of a manifest, by exercise id, in order.
inline std::map<std::string, std::vector<std::string>>
hints_in_manifest(const std::filesystem::path& manifest) {
    std::map<std::string, std::vector<std::string>> hints;
    for (const auto& line : split_lines(read_text(manifest))) {
        auto words = split_words(line);
        if (words.size() < 3 || words[0] != "hint") continue;
        std::string rest = trim_left(trim_left(line).substr(4));
        hints[words[1]].push_back(trim_left(rest.substr(words[1].size())));
    }
    return hints;
}

// The exercises of a manifest marked `design` ("exercise <id> <difficulty> design").
inline std::set<std::string> design_exercises(const std::filesystem::path& manifest) {
    std::set<std::string> design;
    for (const auto& line : split_lines(read_text(manifest))) {
        auto words = split_words(line);
        if (words.size() >= 4 && words[0] == "exercise" && words[3] == "design")
            design.insert(words[1]);
    }
    return design;
}

// What a README shows of an exercise's hints: the first stage only (the idea,
// or where to look for a design exercise). The plan and the trap are asked
// for, one stage at a time, with `make hint`, which records the stage reached.
inline std::string hint_block(const std::string& id, const std::vector<std::string>& hints,
                              bool design) {
    std::string chapter = id.size() > 4 ? id.substr(2, 2) : "NN";
    std::string out = "> **" + std::string(design ? "Where to look" : "Hint 1") + "** (" + id +
                      "): " + hints.front() + "\n";
    if (hints.size() > 1)
        out += ">\n> " + std::to_string(hints.size() - 1) + " more stage" +
               (hints.size() > 2 ? "s" : "") + ", one at a time: `make hint CH=" + chapter +
               " EX=" + id + "`\n";
    return out;
}

// Refills every `<!-- hints ID -->` ... `<!-- /hints -->` block of a README
// from the manifest. Throws for an id the manifest gives no hint.
inline std::string fill_hint_blocks(const std::string& text,
                                    const std::filesystem::path& manifest) {
    if (text.find("<!-- hints ") == std::string::npos) return text;
    auto hints = hints_in_manifest(manifest);
    auto design = design_exercises(manifest);
    std::string out;
    bool skipping = false;
    for (const auto& line : split_lines(text)) {
        if (skipping && starts_with(line, "<!-- /hints -->")) skipping = false;
        if (skipping) continue;
        out += line + "\n";
        if (!starts_with(line, "<!-- hints ")) continue;
        auto words = split_words(line);
        std::string id = words.size() > 2 ? words[2] : "";
        if (!hints.count(id))
            throw std::runtime_error("README hint block for '" + id +
                                     "': " + manifest.generic_string() + " has no hint for it");
        out += hint_block(id, hints[id], design.count(id) > 0);
        skipping = true;
    }
    if (skipping) throw std::runtime_error("README: a hint block has no <!-- /hints --> line");
    return out;
}

} // namespace looplab_tools
