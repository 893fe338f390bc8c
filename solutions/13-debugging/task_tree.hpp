// Who waits for whom: every pending task of a loop, its state, the coroutine
// frames it is suspended in and what it awaits, printed as a tree the way
// `python -m asyncio pstree` does (asyncio: all_tasks, capture_call_graph).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "task.hpp"

namespace aio {

// One row of the tree.
struct TaskInfo {
    std::string name;
    TaskBase::State state = TaskBase::State::CREATED;
    std::vector<std::string> frames;     // outermost first: "crawl (crawler.cpp:57)"
    std::string awaiting;                // "Task 'w-2'", "Future", "" when not waiting
    std::vector<std::string> awaited_by; // the tasks waiting on this one, by name
};

// The loop's pending tasks, in creation order (asyncio.all_tasks).
std::vector<std::shared_ptr<TaskBase>> all_tasks(EventLoop& loop);
std::size_t live_tasks(EventLoop& loop); // how many: the articles' memory manager

// A row per pending task, in creation order. The running task (the caller's
// own, when called from a task) shows no frames: it is not suspended.
std::vector<TaskInfo> task_infos(EventLoop& loop);

// The tree: each task awaited by nobody is a root; under a task, its frames,
// and under its innermost frame the task it awaits, if any.
std::string format_task_tree(EventLoop& loop);

// `sink` gets the names of the tasks still pending when the loop closes (or
// is destroyed), before the loop drops them: the tasks a program forgot.
void on_close_report_tasks(EventLoop& loop, std::function<void(std::vector<std::string>)> sink);

const char* state_name(TaskBase::State state); // "CREATED", ..., "ABANDONED"

namespace detail {

// "fetch_one (client.cpp:57)": a frame's function and where it waits; the
// file without its folders.
std::string describe_frame(const PromiseBase& frame);

// The rows and, for each, the row of the task it awaits (none: a future, or
// nothing). task_infos and format_task_tree read it.
struct TaskGraph {
    static constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::vector<TaskInfo> infos;
    std::vector<std::size_t> awaits;
};
TaskGraph task_graph(EventLoop& loop);

// The loop extension behind on_close_report_tasks: created after the task
// registry, so destroyed before it, while the pending tasks are still there.
class CloseReport {
public:
    explicit CloseReport(EventLoop& loop);
    ~CloseReport();
    CloseReport(const CloseReport&) = delete;
    CloseReport& operator=(const CloseReport&) = delete;
    void add(std::function<void(std::vector<std::string>)> sink) {
        sinks_.push_back(std::move(sink));
    }

private:
    EventLoop& loop_;
    std::vector<std::function<void(std::vector<std::string>)>> sinks_;
};

} // namespace detail

} // namespace aio
