// Helpers for the chapter 09 tests: a gate that holds workers until the test
// opens it, a peak counter, a bounded loop run, a scratch directory.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>

#include "event_loop.hpp"
#include "future.hpp"
#include "task.hpp"

namespace looplab {

using namespace std::chrono_literals;

// Holds every thread that waits on it until open() (at most 10 s, so a bug
// fails the test instead of hanging it).
class Gate {
public:
    void open() {
        std::lock_guard<std::mutex> lock(mutex_);
        open_ = true;
        changed_.notify_all();
    }
    bool wait(std::chrono::milliseconds limit = 10s) {
        std::unique_lock<std::mutex> lock(mutex_);
        return changed_.wait_for(lock, limit, [this] { return open_; });
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    bool open_ = false;
};

// How many are inside at once, and the most there ever were.
class PeakCounter {
public:
    void enter() {
        int now = ++inside_;
        int seen = peak_.load();
        while (now > seen && !peak_.compare_exchange_weak(seen, now)) {
        }
    }
    void leave() { --inside_; }
    int peak() const { return peak_.load(); }

private:
    std::atomic<int> inside_{0};
    std::atomic<int> peak_{0};
};

// Runs the loop until the future is done, at most `limit` of real time;
// returns whether it is done, so a lost wake-up fails instead of hanging.
template <class T>
bool run_until_done(aio::EventLoop& loop, aio::Future<T> future, aio::Duration limit = 10s) {
    aio::TimerHandle guard = loop.call_later(limit, [&loop] { loop.stop(); });
    try {
        aio::run_until_complete(loop, aio::Future<T>(future));
    } catch (...) {
        // the future's own exception, or "stopped before Future completed"
    }
    guard.cancel();
    return future.done();
}

// Runs coro as a task until done (bounded) and returns its result, or rethrows.
template <class T>
T run_in_task(aio::EventLoop& loop, aio::Coro<T> coro) {
    aio::Task<T> task = aio::create_task(loop, std::move(coro));
    run_until_done(loop, aio::Future<T>(task));
    return task.result();
}

// Runs the loop for about `span` of real time.
inline void run_for(aio::EventLoop& loop, aio::Duration span) {
    loop.call_later(span, [&loop] { loop.stop(); });
    loop.run_forever();
}

// A fresh directory under the system's temp dir, removed with its files.
class ScratchDir {
public:
    ScratchDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "looplab-ch09-XXXXXX").string();
        path_ = mkdtemp(pattern.data());
    }
    ~ScratchDir() { std::filesystem::remove_all(path_); }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

} // namespace looplab
