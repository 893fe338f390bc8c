// The main of `make bench`: runs the chosen workloads in order, each in a child
// process with a time limit, echoes their RESULT lines, then prints the table.
//
// Usage: bench [--no-table] [B1 B2 ...]   (no workload, or "all": every one)
//        bench --table FILE...             the table of RESULT lines saved in FILEs
//        bench --chart FILE...             the same, after a bar chart (make demo CH=14)
//
// make bench runs the reference binary and the fast loop's with --no-table,
// each writing its lines to a file, then prints one table from both files.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.hpp"

namespace looplab::bench {

void run_b5_queue(); // b5_queue.cpp

const std::vector<Workload>& workloads() {
    static const std::vector<Workload> all{
        {"B1", "callbacks", run_b1_callbacks},
        {"B2", "timers", run_b2_timers},
        {"B7", "scaling", run_b7_scaling},
        {"B3", "tasks", run_b3_tasks},
        {"B4", "echo", run_b4_echo},
        {"B5", "queue", run_b5_queue},
        {"B6", "sync-vs-async", run_b6_sync_vs_async},
        {"B8", "http", run_b8_http},
        {"B9", "c100k", run_b9_c100k},
        {"M", "micro", run_m_micro},
    };
    return all;
}

namespace {

// A learner's loop that hangs must not hang `make bench`. The reference takes
// under 10 s for any workload; the whole run must stay under a minute.
constexpr int time_limit_s = 20;

// B7 registers 10,000 idle fds; the hard limit is ours to take.
void raise_fd_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == limit.rlim_max) return;
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) std::perror("bench: setrlimit");
}

// glibc gives freed memory back to the kernel (trimming the heap, unmapping
// big blocks), and the next round pays a page fault per fresh 4 KiB, which on a
// virtual machine costs more than the timers of B2 themselves. A long-running
// loop keeps its high-water mark, so the bench keeps freed memory too; the
// first (cold) round of B2 still shows the price of fresh pages.
void keep_freed_memory() {
#ifdef __GLIBC__
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_MMAP_THRESHOLD, 32 << 20); // the largest glibc allows
#endif
}

// In the child: run the workload with stdout on the pipe, then leave without
// running the parent's exit handlers.
[[noreturn]] void child_main(const Workload& workload, int out_fd) {
    ::dup2(out_fd, STDOUT_FILENO);
    ::close(out_fd);
    int status = 0;
    try {
        workload.run();
    } catch (...) {
        skipped(workload.id, "run", describe_current_exception());
        status = 1;
    }
    std::fflush(stdout);
    ::_exit(status);
}

// Echoes and collects every complete line the child writes, until it closes
// the pipe or the deadline passes. Returns false on timeout.
bool pump_lines(int in_fd, Summary& summary) {
    auto deadline = BenchClock::now() + std::chrono::seconds(time_limit_s);
    std::string pending;
    char buffer[4096];
    for (;;) {
        auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - BenchClock::now());
        if (left.count() <= 0) return false;
        pollfd entry{in_fd, POLLIN, 0};
        int ready = ::poll(&entry, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready == 0) return false;
        if (ready < 0) return true; // the pipe failed: take what we have
        ssize_t got = ::read(in_fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return true;
        pending.append(buffer, static_cast<std::size_t>(got));
        for (std::size_t end; (end = pending.find('\n')) != std::string::npos;) {
            std::string line = pending.substr(0, end);
            pending.erase(0, end + 1);
            std::printf("%s\n", line.c_str());
            std::fflush(stdout);
            summary.add(line);
        }
    }
}

// What went wrong with a child, "" if nothing.
std::string child_failure(pid_t pid, bool finished) {
    if (!finished) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!finished) return "timed-out-after-" + std::to_string(time_limit_s) + "s";
    if (WIFSIGNALED(status)) return std::string("crashed:") + ::strsignal(WTERMSIG(status));
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        return "exit-status-" + std::to_string(WEXITSTATUS(status));
    return "";
}

void run_isolated(const Workload& workload, Summary& summary) {
    int fds[2];
    if (::pipe(fds) != 0) {
        std::perror("bench: pipe");
        return;
    }
    std::fflush(stdout);
    std::fflush(stderr);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        child_main(workload, fds[1]);
    }
    ::close(fds[1]);
    bool finished = pid > 0 && pump_lines(fds[0], summary);
    ::close(fds[0]);
    std::string failure = pid > 0 ? child_failure(pid, finished) : "fork-failed";
    if (failure.empty()) return;
    // Name the failure where the table will look for the loop's figure.
    std::string line =
        "RESULT " + std::string(workload.id) + " " + std::string(loop_name) + " skipped=" + failure;
    std::printf("%s\n", line.c_str());
    summary.add(line);
}

// The workloads named on the command line (case-insensitive), in the order of
// workloads(); none or "all": every one. Unknown names are an error.
bool select_workloads(int argc, char** argv, std::vector<const Workload*>& chosen) {
    std::vector<std::string> wanted;
    for (int i = 1; i < argc; ++i) {
        std::string name = argv[i];
        if (name == "--no-table") continue;
        for (char& c : name)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (name != "ALL") wanted.push_back(name);
    }
    bool all = wanted.empty();
    for (const Workload& workload : workloads()) {
        auto hit = std::find(wanted.begin(), wanted.end(), workload.id);
        if (all || hit != wanted.end()) chosen.push_back(&workload);
    }
    bool ok = true;
    for (const std::string& name : wanted) {
        auto known = [&](const Workload& w) { return name == w.id; };
        if (std::any_of(workloads().begin(), workloads().end(), known)) continue;
        std::fprintf(stderr, "bench: no workload %s (known: B1 B2 B7 B3 B4 B5 B6 B8 B9 M)\n",
                     name.c_str());
        ok = false;
    }
    return ok;
}

// The table of the RESULT lines saved in files (bench --table FILE...), after
// a bar chart of them with --chart.
int print_saved_table(int count, char** files, bool with_chart) {
    Summary summary;
    for (int i = 0; i < count; ++i) {
        std::ifstream in(files[i]);
        if (!in) {
            std::fprintf(stderr, "bench: cannot read %s\n", files[i]);
            return 2;
        }
        for (std::string line; std::getline(in, line);)
            summary.add(line);
    }
    if (with_chart)
        summary.chart(stdout);
    else
        summary.print(stdout);
    return 0;
}

} // namespace

} // namespace looplab::bench

int main(int argc, char** argv) {
    using namespace looplab::bench;
    if (argc > 1 && std::strcmp(argv[1], "--table") == 0)
        return print_saved_table(argc - 2, argv + 2, false);
    if (argc > 1 && std::strcmp(argv[1], "--chart") == 0)
        return print_saved_table(argc - 2, argv + 2, true);
    bool table = !(argc > 1 && std::strcmp(argv[1], "--no-table") == 0);
    std::signal(SIGPIPE, SIG_IGN); // a write to a closed socket fails with EPIPE instead
    raise_fd_limit();
    keep_freed_memory();
    std::vector<const Workload*> chosen;
    if (!select_workloads(argc, argv, chosen)) return 2;
    Summary summary;
    auto start = BenchClock::now();
    for (const Workload* workload : chosen) {
        std::printf("== %s %s\n", workload->id, workload->title);
        auto workload_start = BenchClock::now();
        run_isolated(*workload, summary);
        std::printf("   (%.1f s)\n", seconds_since(workload_start));
    }
    if (table) summary.print(stdout);
    std::printf("total %.1f s\n", seconds_since(start));
    return 0;
}
