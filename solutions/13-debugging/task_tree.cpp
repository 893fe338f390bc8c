// The task tree (see task_tree.hpp).
#include "task_tree.hpp"

#include <algorithm>
#include <cstring>
#include <map>

namespace aio {

const char* state_name(TaskBase::State state) {
    switch (state) {
    case TaskBase::State::CREATED: return "CREATED";
    case TaskBase::State::SCHEDULED: return "SCHEDULED";
    case TaskBase::State::RUNNING: return "RUNNING";
    case TaskBase::State::WAITING: return "WAITING";
    case TaskBase::State::DONE: return "DONE";
    case TaskBase::State::ABANDONED: return "ABANDONED";
    }
    return "?";
}

std::vector<std::shared_ptr<TaskBase>> all_tasks(EventLoop& loop) {
    return loop.extension<detail::TaskRegistry>().pending();
}

std::size_t live_tasks(EventLoop& loop) {
    return all_tasks(loop).size();
}

namespace detail {

std::string describe_frame(const PromiseBase& frame) {
    const SourceLocation where = frame.suspended_at();
    const char* slash = std::strrchr(where.file, '/');
    const char* file = slash != nullptr ? slash + 1 : where.file;
    return std::string(where.function) + " (" + file + ":" + std::to_string(where.line) + ")";
}

} // namespace detail

namespace {

// The frames a suspended task waits in, outermost first.
std::vector<std::string> frames_of(const TaskBase& task) {
    //@exercise ch13.task_frames  From the innermost frame up its callers; outermost first.
    std::vector<std::string> frames;
    for (const detail::PromiseBase* frame = task.innermost_frame(); frame != nullptr;
         frame = frame->caller())
        frames.push_back(detail::describe_frame(*frame));
    std::reverse(frames.begin(), frames.end());
    return frames;
    //@end
}

bool is_suspended(const TaskBase& task) {
    return task.state() == TaskBase::State::WAITING || task.state() == TaskBase::State::SCHEDULED;
}

} // namespace

namespace detail {

TaskGraph task_graph(EventLoop& loop) {
    const std::vector<std::shared_ptr<TaskBase>> tasks = all_tasks(loop);
    TaskGraph graph;
    graph.awaits.assign(tasks.size(), TaskGraph::none);
    //@exercise ch13.awaited_by  A row per task; say what each awaits; a task awaited is told by whom.
    // Which row owns which future: a task that awaits a task awaits its future.
    std::map<const FutureStateBase*, std::size_t> row_of_future;
    for (const auto& task : tasks) {
        row_of_future[&task->future_state()] = graph.infos.size();
        TaskInfo info;
        info.name = task->get_name();
        info.state = task->state();
        if (is_suspended(*task)) info.frames = frames_of(*task);
        graph.infos.push_back(std::move(info));
    }
    for (std::size_t row = 0; row < tasks.size(); ++row) {
        const FutureStateBase* awaited = tasks[row]->awaiting();
        if (awaited == nullptr) continue;
        auto owner = row_of_future.find(awaited);
        if (owner == row_of_future.end()) {
            graph.infos[row].awaiting = awaited->waits_for();
            continue;
        }
        graph.awaits[row] = owner->second;
        TaskInfo& target = graph.infos[owner->second];
        graph.infos[row].awaiting = "Task '" + target.name + "'";
        target.awaited_by.push_back(graph.infos[row].name);
    }
    //@end
    return graph;
}

} // namespace detail

std::vector<TaskInfo> task_infos(EventLoop& loop) {
    return detail::task_graph(loop).infos;
}

namespace {

// One task's line, its frames one level deeper each, and under the innermost
// frame the task it awaits, recursively. `printed` marks the rows done.
void print_task(const detail::TaskGraph& graph, std::size_t row, std::string indent,
                std::vector<bool>& printed, std::string& out) {
    //@exercise ch13.format_tree  The task's line, its frames one level deeper each, then the task it awaits.
    const TaskInfo& info = graph.infos[row];
    printed[row] = true;
    out += indent + "└── (T) " + info.name + " [" + state_name(info.state) + "]";
    if (graph.awaits[row] == detail::TaskGraph::none && !info.awaiting.empty())
        out += " awaits " + info.awaiting;
    out += "\n";
    indent += "    ";
    for (const std::string& frame : info.frames) {
        out += indent + "└── " + frame + "\n";
        indent += "    ";
    }
    const std::size_t awaited = graph.awaits[row];
    if (awaited == detail::TaskGraph::none) return;
    if (printed[awaited]) {
        out += indent + "└── (T) " + graph.infos[awaited].name + " (shown above: a cycle)\n";
        return;
    }
    print_task(graph, awaited, indent, printed, out);
    //@end
}

} // namespace

std::string format_task_tree(EventLoop& loop) {
    const detail::TaskGraph graph = detail::task_graph(loop);
    std::vector<bool> printed(graph.infos.size(), false);
    std::string out;
    for (std::size_t row = 0; row < graph.infos.size(); ++row)
        if (graph.infos[row].awaited_by.empty()) print_task(graph, row, "", printed, out);
    for (std::size_t row = 0; row < graph.infos.size(); ++row) // tasks awaiting in a circle
        if (!printed[row]) print_task(graph, row, "", printed, out);
    return out;
}

void on_close_report_tasks(EventLoop& loop, std::function<void(std::vector<std::string>)> sink) {
    loop.extension<detail::CloseReport>().add(std::move(sink));
}

namespace detail {

CloseReport::CloseReport(EventLoop& loop) : loop_(loop) {
    loop_.extension<TaskRegistry>(); // exists first, so it is destroyed after this
}

CloseReport::~CloseReport() {
    //@exercise ch13.close_report  Tell every sink the names of the tasks still pending.
    //@stub aio::detail::not_implemented_abort("ch13.close_report");
    std::vector<std::string> names;
    for (const auto& task : loop_.extension<TaskRegistry>().pending())
        names.push_back(task->get_name());
    for (auto& sink : sinks_)
        sink(names);
    //@end
}

} // namespace detail

} // namespace aio
