// A Coro run with no task and no loop: a frame stack and the trampoline,
// nothing else. The chapter's first exercises (trampoline, final_suspend,
// coro_await, future_awaiter) are graded this way, before tasks exist; a task
// does the same with a loop pass between two runs.
#pragma once

#include <utility>

#include "coro.hpp"

namespace aio::detail {

// Owns the root Coro and the frame stack it runs on (as a task does).
template <class T>
class InlineDriver {
public:
    explicit InlineDriver(Coro<T> coro) : root_(std::move(coro)) {
        if (!root_) throw RuntimeError("run_inline: the Coro is empty (moved from?)");
        root_.frame_.promise().attach(frames_, nullptr);
        frames_.start(root_.frame_);
    }
    InlineDriver(const InlineDriver&) = delete; // the frames point at frames_
    InlineDriver& operator=(const InlineDriver&) = delete;

    // Resumes until the root finishes (true) or a frame waits for the loop.
    bool run() {
        frames_.run();
        return frames_.finished();
    }
    FrameStack& frames() { return frames_; }
    T result() { return root_.frame_.promise().take_result(); }

private:
    FrameStack frames_;
    Coro<T> root_;
};

// Runs a coroutine that never waits for the loop to its end, here and now.
template <class T>
T run_inline(Coro<T> coro) {
    InlineDriver<T> driver(std::move(coro));
    if (!driver.run()) throw RuntimeError("run_inline: the coroutine waited for the loop");
    return driver.result();
}

} // namespace aio::detail
