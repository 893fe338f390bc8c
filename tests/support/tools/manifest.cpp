// Reading and checking a chapter's manifest.
#include "manifest.hpp"

#include "exercise_sites.hpp"

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace grader {

namespace {

std::string rest_of(std::istringstream& in) {
    std::string rest;
    std::getline(in, rest);
    auto start = rest.find_first_not_of(" \t");
    return start == std::string::npos ? "" : rest.substr(start);
}

// "ch02.push,ch02.sift_up" -> {"ch02.push", "ch02.sift_up"}
std::vector<std::string> split_ids(const std::string& list) {
    std::vector<std::string> ids;
    std::istringstream in(list);
    for (std::string id; std::getline(in, id, ',');)
        if (!id.empty()) ids.push_back(id);
    return ids;
}

GradedTest parse_test(std::istringstream& in) {
    GradedTest test;
    if (!(in >> test.name >> test.points)) throw std::runtime_error("test needs a name and points");
    for (std::string option; in >> option;) {
        if (option == "timing")
            test.timing = true;
        else if (option == "given")
            test.given = true;
        else if (option.rfind("timeout=", 0) == 0)
            test.timeout_s = std::stoi(option.substr(8));
        else if (option.rfind("ex=", 0) == 0)
            test.exercises = split_ids(option.substr(3));
        else
            throw std::runtime_error("unknown test option '" + option + "'");
    }
    return test;
}

void parse_line(Manifest& m, const std::string& line) {
    std::istringstream in(line);
    std::string directive;
    if (!(in >> directive) || directive[0] == '#') return;
    if (directive == "chapter") {
        in >> m.number;
        m.title = rest_of(in);
    } else if (directive == "exercise") {
        Exercise e;
        if (!(in >> e.id >> e.difficulty))
            throw std::runtime_error("exercise needs an id and a difficulty");
        for (std::string word; in >> word;) {
            if (word != "design")
                throw std::runtime_error("unknown exercise option '" + word + "'");
            e.design = true;
        }
        m.exercises.push_back(e);
    } else if (directive == "hint") {
        std::string id;
        in >> id;
        for (auto& e : m.exercises)
            if (e.id == id) e.hints.push_back(rest_of(in));
        if (!m.find_exercise(id)) throw std::runtime_error("hint for unknown exercise " + id);
    } else if (directive == "test") {
        m.tests.push_back(parse_test(in));
    } else {
        throw std::runtime_error("unknown directive '" + directive + "'");
    }
}

} // namespace

int Manifest::total_points() const {
    int total = 0;
    for (const auto& t : tests)
        total += t.points;
    return total;
}

const Exercise* Manifest::find_exercise(const std::string& id) const {
    for (const auto& e : exercises)
        if (e.id == id) return &e;
    return nullptr;
}

Manifest load_manifest(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot open the manifest");
    Manifest m;
    m.path = path;
    int number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        try {
            parse_line(m, line);
        } catch (const std::exception& e) {
            throw std::runtime_error(path + ":" + std::to_string(number) + ": " + e.what());
        }
    }
    locate_exercise_functions(m);
    return m;
}

std::vector<std::string> validate(const Manifest& m, const std::vector<std::string>& binary_tests,
                                  const std::set<std::string>& exercise_ids) {
    std::vector<std::string> problems;
    auto problem = [&](const std::string& s) { problems.push_back(m.path + ": " + s); };
    if (m.number.empty() || m.title.empty()) problem("no `chapter NN Title` line");
    if (m.total_points() != 100)
        problem("points sum to " + std::to_string(m.total_points()) + ", not 100");
    for (const auto& e : m.exercises) {
        if (e.hints.empty()) problem("exercise " + e.id + " has no hint");
        if (e.difficulty != "easy" && e.difficulty != "medium" && e.difficulty != "hard")
            problem("exercise " + e.id + ": difficulty must be easy, medium or hard");
        if (!exercise_ids.count(e.id)) problem("exercise " + e.id + " has no //@exercise region");
    }
    int design = 0;
    for (const auto& e : m.exercises) {
        design += e.design;
        for (const auto& h : e.hints)
            if (e.design && h.rfind("Plan", 0) == 0)
                problem("design exercise " + e.id +
                        " has a plan hint: its hints say where to look");
    }
    if (!m.exercises.empty() && design < 2)
        problem("only " + std::to_string(design) +
                " design exercises (the word `design` on the exercise line); at least 2");
    for (const auto& id : exercise_ids)
        if (!m.find_exercise(id)) problem("//@exercise " + id + " is not in the manifest");
    std::set<std::string> listed(binary_tests.begin(), binary_tests.end()), named;
    for (const auto& t : m.tests) {
        if (!named.insert(t.name).second) problem("test " + t.name + " listed twice");
        if (!listed.count(t.name)) problem("test " + t.name + " is not in the test binary");
        if (t.given && t.points != 0) problem("given test " + t.name + " must be worth 0 points");
        if (!t.given && t.points <= 0) problem("test " + t.name + " must be worth points");
        for (const auto& id : t.exercises)
            if (!m.find_exercise(id))
                problem("test " + t.name + ": ex= names unknown exercise " + id);
    }
    for (const auto& name : binary_tests)
        if (!named.count(name)) problem("test " + name + " is in the binary but not graded");
    return problems;
}

} // namespace grader
