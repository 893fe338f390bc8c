// Process plumbing of the grader: fork, exec one test with --gtest_filter,
// capture its output in a file, kill its process group when time runs out.
#include "runner.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace grader {

namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

struct Running {
    std::size_t index;
    pid_t pid;
    std::string log_path;
    SteadyTime started;
    SteadyTime deadline;
    SteadyTime next_stub_scan;
    bool reached_stub = false;
    bool killed = false;
};

// A stub that throws inside a loop callback is swallowed by the loop's exception
// handler, and the test then waits for work that will never finish. The stub also
// writes this line to stderr at once (aio::NotImplemented), so once it shows up
// the test only gets this much longer before it is stopped and reported as TODO:
// a learner's first `make check` is not a minute of time limits running out.
constexpr const char* stub_marker = "looplab: not implemented: ";
constexpr std::chrono::milliseconds stub_grace{2000};
constexpr std::chrono::milliseconds stub_scan_interval{100};

std::string signal_name(int sig) {
    switch (sig) {
    case SIGSEGV: return "SIGSEGV (segmentation fault: a bad pointer or a stack overflow)";
    case SIGABRT:
        return "SIGABRT (abort: a failed assert, std::terminate or an uncaught exception)";
    case SIGBUS: return "SIGBUS (bus error)";
    case SIGFPE: return "SIGFPE (arithmetic error)";
    case SIGILL: return "SIGILL (illegal instruction)";
    case SIGPIPE: return "SIGPIPE (write to a closed socket: use MSG_NOSIGNAL)";
    case SIGKILL: return "SIGKILL";
    default: return "signal " + std::to_string(sig);
    }
}

pid_t spawn(const RunOptions& options, const std::string& test, const std::string& log_path) {
    const std::string& binary = options.binary;
    pid_t pid = fork();
    if (pid != 0) return pid;
    if (!options.probe_dir.empty())
        setenv("LOOPLAB_PROBE", probe_file(options.probe_dir, test).c_str(), 1);
    setpgid(0, 0); // its own group, so a timeout kills the threads and children it made
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 1);
    dup2(fd, 2);
    std::string filter = "--gtest_filter=" + test;
    execl(binary.c_str(), binary.c_str(), filter.c_str(), "--gtest_color=no", (char*)nullptr);
    std::perror(("exec " + binary).c_str());
    _exit(127);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The first failed assertion: "file:line: Failure" and the lines after it.
std::string first_failure(const std::string& output) {
    std::istringstream in(output);
    std::string line, detail;
    int taking = 0;
    while (std::getline(in, line)) {
        if (taking > 0) {
            if (line.empty() || line.rfind("[  ", 0) == 0) break;
            detail += "\n" + line;
            --taking;
        } else if (line.find(": Failure") != std::string::npos) {
            detail = line.substr(0, line.find(": Failure"));
            taking = 6;
        } else if (line.find("ERROR: AddressSanitizer") != std::string::npos ||
                   line.find("WARNING: ThreadSanitizer") != std::string::npos ||
                   line.find("ERROR: LeakSanitizer") != std::string::npos ||
                   line.find("runtime error:") != std::string::npos) {
            return line;
        }
    }
    return detail;
}

Outcome classify(const std::string& output, int wait_status, bool timed_out, int timeout_s) {
    Outcome o;
    o.output = output;
    std::smatch m;
    static const std::regex timing_line("(^|\n)TIMING: ([^\n]*)");
    for (auto it = std::sregex_iterator(output.begin(), output.end(), timing_line);
         it != std::sregex_iterator(); ++it)
        o.timing.push_back((*it)[2]);
    bool passed = !timed_out && WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0;
    if (passed && output.find("[  PASSED  ] 1 test") != std::string::npos) {
        o.status = Status::PASS;
        return o;
    }
    if (passed && output.find("[  SKIPPED ] 1 test") != std::string::npos &&
        output.find("not implemented: ") == std::string::npos) {
        o.status = Status::SKIP;
        std::size_t at = output.find("Skipped\n");
        o.detail = "skipped: " + (at == std::string::npos
                                      ? std::string("no reason given")
                                      : output.substr(at + 8, output.find('\n', at + 8) - at - 8));
        return o;
    }
    if (passed && output.find("not implemented: ") == std::string::npos) {
        o.status = Status::MISSING;
        o.detail = "no such test in the binary";
        return o;
    }
    static const std::regex stub("not implemented: ([A-Za-z0-9_.]+)");
    if (std::regex_search(output, m, stub)) {
        o.status = Status::TODO;
        o.detail = "not started: " + m[1].str();
    } else if (timed_out) {
        o.status = Status::TIMEOUT;
        o.detail = "timed out after " + std::to_string(timeout_s) + " s";
    } else if (WIFSIGNALED(wait_status)) {
        o.status = Status::CRASH;
        o.detail = "crashed: " + signal_name(WTERMSIG(wait_status));
    } else {
        o.status = Status::FAIL;
        o.detail = first_failure(output);
    }
    return o;
}

// Checks the test's log now and then; once it shows the stub marker, the
// deadline moves up to stub_grace from now (scaled, as every limit is).
void shorten_if_stub_reached(Running& test, SteadyTime now, double timeout_scale) {
    if (test.reached_stub || now < test.next_stub_scan) return;
    test.next_stub_scan = now + stub_scan_interval;
    if (read_file(test.log_path).find(stub_marker) == std::string::npos) return;
    test.reached_stub = true;
    auto grace = std::chrono::duration_cast<std::chrono::milliseconds>(stub_grace * timeout_scale);
    test.deadline = std::min(test.deadline, now + grace);
}

std::string temp_log() {
    char path[] = "/tmp/looplab-grade-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0) close(fd);
    return path;
}

} // namespace

std::string probe_file(const std::string& probe_dir, const std::string& test) {
    std::string name = test;
    for (char& c : name)
        if (c == '/') c = '_';
    return probe_dir + "/" + name + ".reached";
}

std::vector<Outcome> run_tests(const RunOptions& options, const std::vector<GradedTest>& tests,
                               const std::function<void(std::size_t, const Outcome&)>& done) {
    std::vector<Outcome> outcomes(tests.size());
    std::vector<bool> finished(tests.size(), false);
    // Ordinary tests first, in parallel; timing tests after them, one at a time.
    std::vector<std::size_t> order;
    for (int pass = 0; pass < 2; ++pass)
        for (std::size_t i = 0; i < tests.size(); ++i)
            if (tests[i].timing == (pass == 1)) order.push_back(i);
    std::vector<Running> running;
    std::size_t next = 0, reported = 0;
    bool stop = false;
    auto report_ready = [&] {
        while (reported < tests.size() && finished[reported])
            done(reported, outcomes[reported]), ++reported;
    };
    while (reported < tests.size()) {
        bool timing_running = !running.empty() && tests[running.front().index].timing;
        while (!stop && next < order.size() && (int)running.size() < options.jobs &&
               !timing_running) {
            const auto& test = tests[order[next]];
            if (test.timing && !running.empty()) break; // wait for the others to finish
            auto now = std::chrono::steady_clock::now();
            auto limit =
                std::chrono::milliseconds((int)(test.timeout_s * 1000 * options.timeout_scale));
            auto log = temp_log();
            running.push_back({order[next], spawn(options, test.name, log), log, now, now + limit,
                               now + stub_scan_interval});
            ++next;
            timing_running = test.timing;
        }
        if (running.empty()) {
            if (stop || next >= order.size()) { // failfast: the rest are not run
                for (std::size_t i = 0; i < tests.size(); ++i)
                    if (!finished[i]) outcomes[i].detail = "not run (FAILFAST)", finished[i] = true;
                report_ready();
                break;
            }
            continue;
        }
        for (auto it = running.begin(); it != running.end();) {
            int status = 0;
            pid_t got = waitpid(it->pid, &status, WNOHANG);
            auto now = std::chrono::steady_clock::now();
            if (got == 0) shorten_if_stub_reached(*it, now, options.timeout_scale);
            if (got == 0 && now > it->deadline && !it->killed) {
                kill(-it->pid, SIGKILL);
                it->killed = true;
            }
            if (got == 0) {
                ++it;
                continue;
            }
            kill(-it->pid, SIGKILL); // stray children of the test, if any
            const auto& test = tests[it->index];
            auto& outcome = outcomes[it->index];
            outcome = classify(read_file(it->log_path), status, it->killed, test.timeout_s);
            outcome.seconds = std::chrono::duration<double>(now - it->started).count();
            std::remove(it->log_path.c_str());
            finished[it->index] = true;
            if (options.failfast && outcome.status != Status::PASS) stop = true;
            it = running.erase(it);
        }
        report_ready();
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return outcomes;
}

std::vector<std::string> list_tests(const std::string& binary) {
    std::vector<std::string> names;
    FILE* pipe = popen((binary + " --gtest_list_tests 2>/dev/null").c_str(), "r");
    if (!pipe) return names;
    std::string suite;
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, pipe)) {
        std::string line(buffer);
        line = line.substr(0, line.find_first_of("#\n"));
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        if (line.empty()) continue;
        if (line[0] != ' ')
            suite = line;
        else
            names.push_back(suite + line.substr(line.find_first_not_of(' ')));
    }
    pclose(pipe);
    return names;
}

} // namespace grader
