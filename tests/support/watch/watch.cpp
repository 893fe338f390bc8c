// make watch CH=NN: re-grades a chapter each time one of its lesson files is
// saved. It runs on the kit's own event loop (chapter 03): the folder's
// inotify fd and a signalfd are its readers, the debounce is a call_later,
// and the grading is a child process whose end arrives as SIGCHLD through the
// same signalfd, so nothing here ever blocks or runs in a signal handler
// (asyncio: loop.add_signal_handler, which also turns signals into callbacks).
//
//   watch --dir lessons/06-combinators --command "make check CH=06"
//         [--debounce-ms 300] [--poll] [--no-clear]
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "event_loop.hpp"
#include "folder_watch.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Options {
    std::string dir;
    std::string command;
    std::chrono::milliseconds debounce = 300ms;
    bool poll = false; // the fallback, even where inotify works (tests use it)
    bool clear = true; // redraw: clear the terminal before each grading
};

// Blocks the signals the loop takes as events and opens a signalfd for them.
int open_signal_fd(sigset_t* signals) {
    sigemptyset(signals);
    for (int s : {SIGINT, SIGTERM, SIGCHLD})
        sigaddset(signals, s);
    ::sigprocmask(SIG_BLOCK, signals, nullptr);
    return ::signalfd(-1, signals, SFD_NONBLOCK | SFD_CLOEXEC);
}

std::string clock_time() {
    std::time_t now = std::time(nullptr);
    char text[16];
    std::strftime(text, sizeof text, "%H:%M:%S", std::localtime(&now));
    return text;
}

// The re-grader's states: a save during a grading is remembered (dirty) and
// graded after it, so the last save is always the one on the screen.
class Regrader {
public:
    Regrader(aio::EventLoop& loop, Options options, int signal_fd)
        : loop_(loop), options_(std::move(options)), signal_fd_(signal_fd),
          watch_(
              loop, options_.dir, [this](const std::string& file) { changed(file); },
              options_.poll) {
        loop_.add_reader(signal_fd_, [this] { read_signals(); });
        loop_.call_soon([this] { start_grading(); });
    }

    ~Regrader() { loop_.remove_reader(signal_fd_); }
    Regrader(const Regrader&) = delete;
    Regrader& operator=(const Regrader&) = delete;

private:
    enum class State { IDLE, SETTLING, GRADING, STOPPING };

    void changed(const std::string& file) {
        last_file_ = file;
        if (state_ == State::GRADING) {
            dirty_ = true;
        } else if (state_ != State::STOPPING) {
            // Debounce: an editor's save is often several events, and a
            // "save all" several files; grade once they have settled.
            settle_.cancel();
            state_ = State::SETTLING;
            settle_ = loop_.call_later(options_.debounce, [this] { start_grading(); });
        }
    }

    void start_grading() {
        if (options_.clear && ::isatty(STDOUT_FILENO)) std::fputs("\033[H\033[2J", stdout);
        std::printf("looplab watch: %s%s\n", options_.command.c_str(),
                    last_file_.empty() ? "" : ("   (" + last_file_ + " saved)").c_str());
        std::fflush(stdout);
        state_ = State::GRADING;
        dirty_ = false;
        started_ = Clock::now();
        child_ = ::fork();
        if (child_ == 0) {
            ::setpgid(0, 0); // its own group: stop() ends the grading and all it started
            sigset_t none;
            sigemptyset(&none);
            ::sigprocmask(SIG_SETMASK, &none, nullptr); // a blocked mask survives exec
            ::execl("/bin/sh", "sh", "-c", options_.command.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        if (child_ < 0) {
            std::perror("looplab watch: fork");
            loop_.stop();
        }
    }

    void read_signals() {
        signalfd_siginfo info;
        while (::read(signal_fd_, &info, sizeof info) == sizeof info) {
            if (info.ssi_signo == SIGCHLD)
                reap();
            else
                stop(static_cast<int>(info.ssi_signo));
        }
    }

    // SIGCHLD: signals merge, so every ended child is collected here.
    void reap() {
        int status = 0;
        while (child_ > 0 && ::waitpid(child_, &status, WNOHANG) == child_) {
            child_ = 0;
            graded(status);
        }
    }

    void graded(int status) {
        double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
        if (state_ == State::STOPPING) {
            loop_.stop();
            return;
        }
        std::string outcome;
        if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
            outcome = " (exit status " + std::to_string(WEXITSTATUS(status)) + ")";
        else if (WIFSIGNALED(status))
            outcome = std::string(" (") + ::strsignal(WTERMSIG(status)) + ")";
        std::printf("\n-- graded at %s in %.1f s%s. Watching %s (%s): save a file to re-grade, "
                    "Ctrl-C to stop.\n",
                    clock_time().c_str(), seconds, outcome.c_str(), options_.dir.c_str(),
                    watch_.polling() ? "polling every second" : "inotify");
        std::fflush(stdout);
        state_ = State::IDLE;
        if (dirty_) changed(last_file_);
    }

    // Ctrl-C or a kill: a grading in progress is stopped first, the shell,
    // make and the compilers it started with it (the child's process group).
    void stop(int signal) {
        settle_.cancel();
        if (child_ <= 0) {
            loop_.stop();
            return;
        }
        state_ = State::STOPPING;
        ::kill(-child_, signal);
        loop_.call_later(5s, [this] {
            if (child_ > 0) ::kill(-child_, SIGKILL);
        });
    }

    aio::EventLoop& loop_;
    Options options_;
    int signal_fd_;
    looplab::FolderWatch watch_;
    State state_ = State::IDLE;
    bool dirty_ = false;
    std::string last_file_;
    aio::TimerHandle settle_;
    pid_t child_ = 0;
    Clock::time_point started_;
};

bool parse(int argc, char** argv, Options* options) {
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        bool has_value = i + 1 < argc;
        if (arg == "--dir" && has_value)
            options->dir = argv[++i];
        else if (arg == "--command" && has_value)
            options->command = argv[++i];
        else if (arg == "--debounce-ms" && has_value)
            options->debounce = std::chrono::milliseconds(std::atoi(argv[++i]));
        else if (arg == "--poll")
            options->poll = true;
        else if (arg == "--no-clear")
            options->clear = false;
        else
            return false;
    }
    return !options->dir.empty() && !options->command.empty();
}

} // namespace

int main(int argc, char** argv) {
    Options options;
    if (!parse(argc, argv, &options)) {
        std::fprintf(stderr, "usage: watch --dir DIR --command CMD [--debounce-ms N] [--poll] "
                             "[--no-clear]\n");
        return 2;
    }
    if (!std::filesystem::is_directory(options.dir)) {
        std::fprintf(stderr, "looplab watch: %s is not a folder\n", options.dir.c_str());
        return 2;
    }
    sigset_t signals;
    int signal_fd = open_signal_fd(&signals);
    if (signal_fd < 0) {
        std::perror("looplab watch: signalfd");
        return 1;
    }
    {
        aio::EventLoop loop;
        Regrader regrader(loop, options, signal_fd);
        loop.run_forever();
    }
    ::close(signal_fd);
    std::printf("looplab watch: stopped.\n");
    return 0;
}
