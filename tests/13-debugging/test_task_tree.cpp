// Who waits for whom: every pending task, the frames it is suspended in, what
// it awaits, the tree printed like `python -m asyncio pstree`, and the tasks
// still pending when the loop closes.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "debugging.hpp"
#include "gather.hpp"
#include "locks.hpp"
#include "queue.hpp"
#include "virtual_loop.hpp"

using namespace looplab;
using aio::Coro;

namespace {

// Each co_await's line, for the expected frames.
constexpr int leaf_line = __LINE__ + 2; // the line of its co_await
Coro<void> leaf(aio::Duration d) {
    co_await aio::sleep(d);
}
constexpr int worker_line = __LINE__ + 2;
Coro<void> worker(aio::Duration d) {
    co_await leaf(d);
}
constexpr int boss_line = __LINE__ + 2;
Coro<void> boss(aio::Task<void> w) {
    co_await w;
}

// Waits for a task that does not exist yet (`other` is filled later).
Coro<void> await_later(std::optional<aio::Task<void>>& other) {
    co_await aio::sleep(0s);
    co_await *other;
}

Coro<void> hold_lock(aio::Lock& lock) {
    co_await lock.acquire();
    co_await aio::sleep(1s);
    lock.release();
}
Coro<void> take_lock(aio::Lock& lock) {
    co_await lock.acquire();
    lock.release();
}
Coro<void> take_item(aio::Queue<int>& queue) {
    co_await queue.get();
}
Coro<void> gather_two(aio::Task<void> first, aio::Task<void> second) {
    std::vector<aio::Task<void>> both{first, second};
    co_await aio::gather(both);
}

std::string at(const char* function, int line) {
    return std::string(function) + " (test_task_tree.cpp:" + std::to_string(line) + ")";
}

// The line numbers inside the kit's sleep.cpp are not this test's business.
std::string without_sleep_line(const std::string& text) {
    return std::regex_replace(text, std::regex("sleep\\.cpp:[0-9]+"), "sleep.cpp:N");
}

} // namespace

TEST(TaskInfos, ListEveryPendingTaskInCreationOrder) {
    VirtualLoop v;
    auto a = aio::create_task(v.loop, leaf(1s), "a");
    auto b = aio::create_task(v.loop, leaf(1s), "b");
    std::vector<aio::TaskInfo> infos = aio::task_infos(v.loop);
    ASSERT_EQ(infos.size(), 2u) << "ch13.awaited_by: one row per pending task";
    EXPECT_EQ(infos[0].name, "a") << "ch13.awaited_by: rows in creation order";
    EXPECT_EQ(infos[1].name, "b") << "ch13.awaited_by: rows in creation order";
    EXPECT_EQ(infos[0].state, aio::TaskBase::State::CREATED)
        << "ch13.awaited_by: a task that has not run yet is CREATED";
    EXPECT_TRUE(infos[0].awaiting.empty() && infos[0].frames.empty())
        << "ch13.awaited_by: a task not started awaits nothing and has no frame yet";
    EXPECT_EQ(aio::live_tasks(v.loop), 2u) << "live_tasks (given): two tasks pending";
}

TEST(TaskInfos, ATaskAwaitingATaskNamesItAndIsNamedByIt) {
    VirtualLoop v;
    auto w = aio::create_task(v.loop, worker(1s), "w");
    auto b = aio::create_task(v.loop, boss(w), "boss");
    v.settle(10ms);
    std::vector<aio::TaskInfo> infos = aio::task_infos(v.loop);
    ASSERT_EQ(infos.size(), 2u) << "ch13.awaited_by: w and boss are pending";
    EXPECT_EQ(infos[1].awaiting, "Task 'w'") << "ch13.awaited_by: boss awaits the task w";
    EXPECT_EQ(infos[0].awaited_by, std::vector<std::string>{"boss"})
        << "ch13.awaited_by: w is awaited by boss";
    EXPECT_EQ(infos[0].awaiting, "Future")
        << "ch13.awaited_by: w awaits sleep's future, which is no task: its class name";
    EXPECT_TRUE(infos[1].awaited_by.empty()) << "ch13.awaited_by: nobody awaits boss";
}

TEST(TaskInfos, AFutureAwaitedIsNamedByWhatItWaitsFor) {
    VirtualLoop v;
    aio::Lock lock;
    aio::Queue<int> queue;
    auto owner = aio::create_task(v.loop, hold_lock(lock), "owner");
    v.settle(10ms);
    auto waiting = aio::create_task(v.loop, take_lock(lock), "waits-lock");
    auto getter = aio::create_task(v.loop, take_item(queue), "waits-queue");
    auto a = aio::create_task(v.loop, leaf(1s), "a");
    auto b = aio::create_task(v.loop, leaf(1s), "b");
    auto gatherer = aio::create_task(v.loop, gather_two(a, b), "waits-gather");
    v.settle(10ms);
    std::map<std::string, std::string> awaiting;
    for (const aio::TaskInfo& info : aio::task_infos(v.loop))
        awaiting[info.name] = info.awaiting;
    EXPECT_EQ(awaiting["waits-lock"], "Lock.acquire")
        << "ch13.awaited_by: a task queued on a Lock awaits what the lock's waiter future says "
           "it is (waits_for), not its class name";
    EXPECT_EQ(awaiting["waits-queue"], "Queue.get")
        << "ch13.awaited_by: a task waiting for an item awaits Queue.get";
    EXPECT_EQ(awaiting["waits-gather"], "gather")
        << "ch13.awaited_by: a task awaiting a gather of tasks awaits gather";
    EXPECT_EQ(awaiting["a"], "Future")
        << "ch13.awaited_by: a future nobody described is named by its class";
    queue.put_nowait(1);
    v.settle(2s);
    EXPECT_TRUE(waiting.done() && getter.done() && gatherer.done())
        << "the waits end: the lock is released, the item arrives, both tasks finish";
}

TEST(TaskInfos, FramesAreTheCoroutinesATaskIsSuspendedInOutermostFirst) {
    VirtualLoop v;
    auto w = aio::create_task(v.loop, worker(1s), "w");
    v.settle(10ms);
    std::vector<aio::TaskInfo> infos = aio::task_infos(v.loop);
    ASSERT_EQ(infos.size(), 1u) << "ch13.awaited_by: w is pending";
    ASSERT_EQ(infos[0].frames.size(), 3u)
        << "ch13.task_frames: w waits in worker, which awaits leaf, which awaits sleep";
    EXPECT_EQ(infos[0].frames[0], at("worker", worker_line))
        << "ch13.task_frames: the outermost frame first, with the line of its co_await";
    EXPECT_EQ(infos[0].frames[1], at("leaf", leaf_line)) << "ch13.task_frames: then leaf";
    EXPECT_EQ(without_sleep_line(infos[0].frames[2]), "sleep (sleep.cpp:N)")
        << "ch13.task_frames: the innermost frame last: the kit's sleep";
}

TEST(TaskInfos, TheRunningTaskShowsNoFrames) {
    VirtualLoop v;
    std::vector<aio::TaskInfo> seen;
    auto look = [&]() -> Coro<void> {
        co_await aio::sleep(1ms);
        seen = aio::task_infos(aio::get_running_loop());
    };
    auto t = aio::create_task(v.loop, look(), "looker");
    aio::run_until_complete(v.loop, aio::Future<void>(t)); // no other task meanwhile
    ASSERT_EQ(seen.size(), 1u) << "ch13.awaited_by: the looking task is pending while it looks";
    EXPECT_EQ(seen[0].state, aio::TaskBase::State::RUNNING)
        << "ch13.awaited_by: the task that asks is RUNNING";
    EXPECT_TRUE(seen[0].frames.empty())
        << "ch13.task_frames: a running task is not suspended anywhere: no frames";
}

TEST(TaskTree, PrintedLikePstree) {
    VirtualLoop v;
    auto w = aio::create_task(v.loop, worker(1s), "w");
    auto b = aio::create_task(v.loop, boss(w), "boss");
    v.settle(10ms);
    const std::string expected = "└── (T) boss [WAITING]\n"
                                 "    └── " +
                                 at("boss", boss_line) +
                                 "\n"
                                 "        └── (T) w [WAITING] awaits Future\n"
                                 "            └── " +
                                 at("worker", worker_line) +
                                 "\n"
                                 "                └── " +
                                 at("leaf", leaf_line) +
                                 "\n"
                                 "                    └── sleep (sleep.cpp:N)\n";
    EXPECT_EQ(without_sleep_line(aio::format_task_tree(v.loop)), expected)
        << "ch13.format_tree: each task awaited by nobody is a root; under a task its frames, "
           "one level deeper each, and under the innermost the task it awaits (ch13.awaited_by "
           "says which task that is)";
}

TEST(TaskTree, TwoTasksAwaitingEachOtherAreShownNotHidden) {
    VirtualLoop v;
    std::optional<aio::Task<void>> a_task, b_task;
    a_task = aio::create_task(v.loop, await_later(b_task), "a");
    b_task = aio::create_task(v.loop, await_later(a_task), "b");
    v.settle(10ms);
    const std::string tree = aio::format_task_tree(v.loop);
    EXPECT_NE(tree.find("(T) a [WAITING]"), std::string::npos)
        << "ch13.format_tree: a deadlock has no root, and its tasks must still be printed\n"
        << tree;
    EXPECT_NE(tree.find("(shown above: a cycle)"), std::string::npos)
        << "ch13.format_tree: the cycle is printed once and marked\n"
        << tree;
    EXPECT_LT(tree.size(), 2000u) << "ch13.format_tree: a cycle must not print forever";
    // Not cancelled: a cancel would travel round the circle for ever (asyncio's
    // does too). The loop's end drops both.
}

TEST(LoopClose, ReportsTheTasksStillPending) {
    std::vector<std::string> reported;
    bool called = false;
    {
        VirtualLoop v;
        aio::on_close_report_tasks(v.loop, [&](std::vector<std::string> names) {
            reported = std::move(names);
            called = true;
        });
        auto quick = aio::create_task(v.loop, leaf(1ms), "quick");
        auto forgotten = aio::create_task(v.loop, leaf(1h), "forgotten");
        auto also = aio::create_task(v.loop, leaf(1h), "also forgotten");
        v.settle(10ms);
        EXPECT_EQ(aio::live_tasks(v.loop), 2u) << "live_tasks (given): two tasks still sleep";
        v.loop.close();
    }
    EXPECT_TRUE(called) << "ch13.close_report: closing the loop calls the sink";
    EXPECT_EQ(reported, (std::vector<std::string>{"forgotten", "also forgotten"}))
        << "ch13.close_report: the sink gets the names of the tasks pending at close, in "
           "creation order";
}
