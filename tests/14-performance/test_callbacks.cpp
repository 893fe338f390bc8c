// Graded tests of the fast loop's callbacks: InlineFunction keeps small
// targets in its buffer, large or throwing-move ones on the heap, moves
// move-only ones and destroys each exactly once; call_soon then allocates
// nothing in steady state. Allocations are counted by count_allocations.hpp,
// so this is the one file of the binary that includes it.
#include <array>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>

#include <gtest/gtest.h>

#include "count_allocations.hpp"
#include "event_loop.hpp"
#include "inline_function.hpp"
#include "lifetime.hpp"
#include "task.hpp"

using looplab::Counted;
using looplab::LifetimeCounts;
using Fn = aio::InlineFunction<int()>;

namespace {
std::size_t allocations_now() {
    return allocations.load(std::memory_order_relaxed);
}

// A small target whose move may throw: the buffer must not hold it, since
// moving an InlineFunction is noexcept.
struct ThrowingMove {
    int value;
    explicit ThrowingMove(int v) : value(v) {}
    ThrowingMove(const ThrowingMove&) = default;
    ThrowingMove(ThrowingMove&& other) noexcept(false) : value(other.value) {}
    int operator()() const { return value; }
};

void expect_counter_counts() {
#ifdef LOOPLAB_SANITIZED
    ASSERT_TRUE(hooks_installed) << "the sanitizer took no malloc hook: nothing is counted";
#endif
    std::size_t before = allocations_now();
    auto probe = std::make_unique<int>(1);
    ASSERT_GT(allocations_now(), before) << "the allocation counter does not count";
}
} // namespace

TEST(InlineFunction, CallingAnEmptyOneThrows) {
    Fn defaulted, from_null(nullptr);
    for (Fn* f : {&defaulted, &from_null}) {
        EXPECT_FALSE(*f) << "an InlineFunction made from nothing is empty";
        EXPECT_THROW((*f)(), std::bad_function_call)
            << "ch14.inline_call: calling an empty one throws std::bad_function_call, as calling "
               "an empty std::function does";
    }
}

namespace {
struct Widget {
    int size() const { return 3; }
};
} // namespace

// What std::function counts as "no target" stays no target: the loop's
// call_soon refuses an empty callback with ValueError, whichever way it came
// (chapter 03's tests check call_soon itself on the fast loop).
TEST(InlineFunction, NothingMadeIntoOneIsEmpty) {
    int (*null_pointer)() = nullptr;
    std::function<int()> empty_std;
    int (Widget::*null_member)() const = nullptr;
    Fn from_pointer(null_pointer), from_std(empty_std);
    aio::InlineFunction<int(const Widget&)> from_member(null_member);
    EXPECT_FALSE(from_pointer) << "ch14.null_target: one made from a null function pointer is "
                                  "empty, as a std::function made from it would be";
    EXPECT_FALSE(from_std) << "ch14.null_target: one made from an empty std::function is empty";
    EXPECT_FALSE(from_member) << "ch14.null_target: one made from a null member pointer is empty";
    EXPECT_THROW(from_pointer(), std::bad_function_call)
        << "ch14.null_target: calling one made from a null pointer throws, never calls address 0";
    EXPECT_THROW(from_std(), std::bad_function_call)
        << "ch14.null_target: calling one made from an empty std::function throws";
}

TEST(InlineFunction, ALargeTargetGoesToTheHeapOnceAndMovesByPointer) {
    expect_counter_counts();
    std::array<long, 16> big{}; // 128 bytes: more than the 48-byte buffer
    big[15] = 7;
    auto alive = std::make_shared<int>(0);
    std::size_t before = allocations_now();
    Fn f = [big, alive] { return static_cast<int>(big[15]); };
    std::size_t constructed = allocations_now() - before;
    EXPECT_EQ(constructed, 1u) << "ch14.inline_function: a target larger than the buffer is "
                                  "allocated once, on the heap";
    ASSERT_TRUE(f) << "ch14.inline_function: a stored target makes the InlineFunction non-empty";
    EXPECT_EQ(f(), 7) << "ch14.inline_function: the heap target is called";

    before = allocations_now();
    Fn moved(std::move(f));
    EXPECT_EQ(allocations_now() - before, 0u)
        << "ch14.inline_take: moving a heap target moves its pointer, no new allocation";
    EXPECT_FALSE(f) << "ch14.inline_take: a moved-from InlineFunction is empty";
    EXPECT_EQ(moved(), 7) << "ch14.inline_take: the moved heap target still runs";
    EXPECT_EQ(alive.use_count(), 2) << "ch14.inline_take: one target, not a copy";
}

TEST(InlineFunction, ATargetWhoseMoveMayThrowGoesToTheHeap) {
    expect_counter_counts();
    std::size_t before = allocations_now();
    Fn f = ThrowingMove(5);
    EXPECT_EQ(allocations_now() - before, 1u)
        << "ch14.inline_function: a small target whose move constructor may throw goes to the "
           "heap (the buffer only holds targets with a noexcept move)";
    EXPECT_EQ(f(), 5) << "ch14.inline_function: the heap target is called";
}

TEST(InlineFunction, ASmallTargetAllocatesNothing) {
    expect_counter_counts();
    int a = 1, b = 2, c = 3, d = 4, e = 5;
    auto target = [&a, &b, &c, &d, &e, k = 10] { return a + b + c + d + e + k; }; // 48 bytes
    static_assert(sizeof(target) == 48);

    std::size_t before = allocations_now();
    std::function<int()> std_fn = target;
    std::size_t std_allocations = allocations_now() - before;

    before = allocations_now();
    Fn f = target;
    Fn moved(std::move(f));
    Fn assigned;
    assigned = std::move(moved);
    int result = assigned();
    std::size_t inline_allocations = allocations_now() - before;
    std::printf("  a 48-byte lambda: std::function %zu allocation(s), InlineFunction %zu "
                "(construct, two moves, call)\n",
                std_allocations, inline_allocations);
    EXPECT_EQ(inline_allocations, 0u)
        << "ch14.inline_function: a 48-byte target with a noexcept move lives in the buffer: "
           "constructing, moving and calling allocate nothing";
    EXPECT_EQ(result, 25) << "ch14.inline_move: the target reached through two moves is called "
                             "with its captures intact";
    EXPECT_EQ(std_fn(), 25) << "the std::function of the same lambda (the comparison) runs too";
}

TEST(InlineFunction, AMoveOnlyTargetIsMovedAndDestroyedExactlyOnce) {
    LifetimeCounts counts;
    {
        auto owned = std::make_unique<std::string>("owned");
        Fn f = [owned = std::move(owned), counted = Counted(counts)] {
            return static_cast<int>(owned->size());
        };
        Fn g;
        f.swap(g);
        EXPECT_FALSE(f) << "ch14.inline_move: after a swap with an empty one, the source is "
                           "empty";
        ASSERT_TRUE(g) << "ch14.inline_move: swap carries the target over";
        EXPECT_EQ(g(), 5) << "ch14.inline_move: the relocated target keeps its captures (a "
                             "unique_ptr: moved, not copied)";
        Fn h(std::move(g));
        EXPECT_FALSE(g) << "ch14.inline_take: a moved-from InlineFunction is empty";
        EXPECT_EQ(h(), 5) << "ch14.inline_move: a target relocated again still runs";
        EXPECT_EQ(counts.alive(), 1)
            << "ch14.inline_move: after each relocation exactly one target is alive (the "
               "source is destroyed once it was moved): "
            << counts.summary();
    }
    EXPECT_EQ(counts.alive(), 0) << "ch14.inline_move: every target is destroyed exactly once: "
                                 << counts.summary();
    EXPECT_EQ(counts.copy_constructed, 0) << "ch14.inline_move: a relocation moves, never copies";
}

TEST(InlineFunction, AssigningATargetReplacesAndDestroysTheOldOne) {
    LifetimeCounts counts;
    Fn f = [counted = Counted(counts)] { return 1; };
    EXPECT_EQ(counts.alive(), 1) << "ch14.inline_move: one target alive: " << counts.summary();
    f = [] { return 2; };
    EXPECT_EQ(counts.alive(), 0) << "ch14.inline_move: assigning a new target destroys the old "
                                    "one: "
                                 << counts.summary();
    EXPECT_EQ(f(), 2) << "ch14.inline_function: the new target runs";
}

// The ready queue swaps every callback into its ring and out again: two plain
// targets of different types trade bytes and call pointers; a pair where one
// side owns something trades by moves, managers included.
TEST(InlineFunction, SwappingTradesTargetsOfEveryKind) {
    long a = 1, b = 2;
    Fn one = [&a] { return static_cast<int>(a); };
    Fn other = [&a, &b, k = 40] { return static_cast<int>(a + b) + k; };
    one.swap(other);
    EXPECT_EQ(one(), 43) << "ch14.inline_swap: after a swap each side runs the other's target "
                            "(captures and call pointer both traded)";
    EXPECT_EQ(other(), 1) << "ch14.inline_swap: after a swap each side runs the other's target";
    LifetimeCounts counts;
    Fn owner = [counted = Counted(counts)] { return 7; };
    owner.swap(one);
    EXPECT_EQ(owner(), 43) << "ch14.inline_swap: a plain target swapped with an owner runs";
    EXPECT_EQ(one(), 7) << "ch14.inline_swap: an owning target swapped with a plain one runs";
    EXPECT_FALSE(one.moves_by_copying_bytes())
        << "ch14.inline_swap: the owning target keeps its manager through a swap";
    EXPECT_TRUE(owner.moves_by_copying_bytes())
        << "ch14.inline_swap: the plain target stays plain bytes through a swap";
    Fn empty;
    empty.swap(one);
    EXPECT_FALSE(one) << "ch14.inline_swap: swapping with an empty one empties this side";
    EXPECT_EQ(empty(), 7) << "ch14.inline_swap: and the target moved over runs";
    empty = nullptr;
    EXPECT_EQ(counts.alive(), 0) << "ch14.inline_swap: the owning target is ended exactly once "
                                    "after three swaps: "
                                 << counts.summary();
}

TEST(InlineFunction, MoveAssignmentEndsTheOldTargetAndSurvivesItself) {
    LifetimeCounts old_counts, new_counts;
    Fn f = [counted = Counted(old_counts)] { return 1; };
    Fn g = [counted = Counted(new_counts)] { return 2; };
    f = std::move(g);
    EXPECT_EQ(old_counts.alive(), 0)
        << "ch14.inline_assign: moving another target in ends the old one: "
        << old_counts.summary();
    EXPECT_EQ(new_counts.alive(), 1)
        << "ch14.inline_assign: the moved target lives on, once: " << new_counts.summary();
    EXPECT_FALSE(g) << "ch14.inline_assign: the source of a move assignment is left empty";
    Fn& same = f;
    f = std::move(same);
    EXPECT_TRUE(f) << "ch14.inline_assign: moving one onto itself keeps its target";
    EXPECT_EQ(f(), 2) << "ch14.inline_assign: moving one onto itself changes nothing";
    EXPECT_EQ(new_counts.alive(), 1)
        << "ch14.inline_assign: moving one onto itself neither ends nor copies its target: "
        << new_counts.summary();
}

TEST(InlineFunction, APlainBytesTargetMovesByCopyingItsBytes) {
    long a = 1, b = 20, c = 300;
    int d = 4000;
    auto target = [&a, &b, &c, d, e = 50000L] { return static_cast<int>(a + b + c + d + e); };
    static_assert(std::is_trivially_copyable_v<decltype(target)> && sizeof(target) == 40);
    Fn f = target;
    EXPECT_TRUE(f.moves_by_copying_bytes())
        << "ch14.plain_bytes: a lambda that captures pointers and numbers is plain bytes: its "
           "InlineFunction needs no function to move or destroy it";
    Fn moved(std::move(f));
    Fn again(std::move(moved));
    EXPECT_FALSE(moved) << "ch14.inline_take: a moved-from InlineFunction is empty";
    EXPECT_TRUE(again.moves_by_copying_bytes())
        << "ch14.plain_bytes: a moved plain-bytes target is still plain bytes";
    EXPECT_EQ(again(), 54321) << "ch14.plain_bytes: every byte of the 40-byte target survives "
                                 "two moves (all five captures are read back)";
}

TEST(InlineFunction, ATargetThatOwnsSomethingKeepsItsManager) {
    auto alive = std::make_shared<int>(7);
    {
        Fn f = [alive] { return *alive; };
        EXPECT_FALSE(f.moves_by_copying_bytes())
            << "ch14.plain_bytes: a lambda holding a shared_ptr is not plain bytes: copying its "
               "bytes would copy the pointer without counting it";
        Fn moved(std::move(f));
        Fn again(std::move(moved));
        EXPECT_EQ(again(), 7) << "ch14.plain_bytes: the relocated target still runs";
        EXPECT_EQ(alive.use_count(), 2) << "ch14.plain_bytes: after two moves, one target holds "
                                           "the shared_ptr (moved, not copied or leaked)";
    }
    EXPECT_EQ(alive.use_count(), 1)
        << "ch14.plain_bytes: the target is destroyed with its InlineFunction, releasing the "
           "shared_ptr (a target treated as bytes would never be destroyed)";
    Fn empty;
    EXPECT_FALSE(empty.moves_by_copying_bytes()) << "ch14.plain_bytes: an empty one holds "
                                                    "nothing to copy";
}

// The chapter's first measure: a callback of call_soon, 32 bytes of captures
// (more than std::function's 16-byte buffer), costs no allocation once the
// ready queue has grown to its working size.
// The build's shadowing took: the loop this file is built with runs
// InlineFunctions (a header beside the original found first would not).
static_assert(std::is_same_v<aio::Callback, aio::InlineFunction<void()>>,
              "LOOP=fast: chapter 14's callback.hpp must shadow chapter 00's");

TEST(FastLoop, CallSoonAndRunOnceAllocateNothingInSteadyState) {
    expect_counter_counts();
    aio::EventLoop loop;
    std::size_t ran = 0;
    int first = 1, second = 2;
    auto callback = [&ran, &first, &second, &loop] {
        if (!loop.is_closed()) ran += static_cast<std::size_t>(second - first);
    };
    static_assert(sizeof(callback) == 32);
    for (int i = 0; i < 1000; ++i) // warm-up: the ring grows to its working size
        loop.call_soon(callback);
    loop.run_once();

    constexpr int rounds = 1000, per_round = 100;
    std::size_t before = allocations_now();
    for (int round = 0; round < rounds; ++round) {
        for (int i = 0; i < per_round; ++i)
            loop.call_soon(callback);
        loop.run_once();
    }
    std::size_t fast = allocations_now() - before;
    EXPECT_EQ(ran, 1000u + rounds * per_round) << "ch14.inline_function: every callback ran once";

    // The same callbacks as std::function, the reference loop's Callback: built
    // at the call site, then moved into the queue and out again.
    before = allocations_now();
    for (int i = 0; i < per_round; ++i) {
        std::function<void()> reference = callback;
        std::function<void()> queued = std::move(reference);
        queued();
    }
    std::size_t reference = (allocations_now() - before) * rounds;
    std::printf("  %d call_soon + run: fast loop %zu allocation(s); the same callbacks as "
                "std::function %zu\n",
                rounds * per_round, fast, reference);
    EXPECT_EQ(fast, 0u) << "ch14.inline_function: call_soon and run_once allocate nothing in "
                           "steady state: a 32-byte callback lives in the ready queue's slot";
}

namespace {
// One task yielding `total` times; notes the allocation count after `from`
// yields and after `to` (the steady state between them).
aio::Coro<void> yield_and_count(int total, int from, int to, std::size_t* at_from,
                                std::size_t* at_to) {
    using namespace std::chrono_literals;
    for (int i = 0; i < total; ++i) {
        if (i == from) *at_from = allocations_now();
        if (i == to) *at_to = allocations_now();
        co_await aio::sleep(0s);
    }
}
} // namespace

// A task switch is a step queued by call_soon and run by the next pass. On the
// fast loop the step's callback lives in the ring, so the only allocation of a
// switch is the frame of the sleep(0s) coroutine the task awaits.
TEST(FastLoop, ATaskSwitchAllocatesOnlyItsSleepFrame) {
    expect_counter_counts();
    constexpr int from = 100, to = 10'100;
    std::size_t at_from = 0, at_to = 0;
    aio::run(yield_and_count(to + 1, from, to, &at_from, &at_to));
    double per_switch = static_cast<double>(at_to - at_from) / (to - from);
    std::printf("  %d task switches (co_await sleep(0s)) in steady state: %.3f allocations each "
                "(the sleep(0s) coroutine's frame is one)\n",
                to - from, per_switch);
    EXPECT_LE(per_switch, 1.0) << "ch14.inline_function: a task switch allocates at most the "
                                  "frame of its sleep(0s): the step callback the loop queues "
                                  "lives in the ring";
}

// Emptying an InlineFunction (nullptr assigned, or the object gone) ends its
// target once: here a target on the heap, whose manager frees it (the tests
// of inline_move and plain_bytes end the targets kept in the buffer).
TEST(InlineFunction, EmptyingOneEndsItsHeapTarget) {
    auto owner = std::make_shared<int>(4);
    std::weak_ptr<int> reset_watch = owner, destroyed_watch = owner;
    std::array<char, 80> padding{};
    padding[0] = 1;
    Fn reset_one([owner, padding] { return *owner + padding[0]; });
    auto destroyed_one =
        std::make_unique<Fn>([owner = std::move(owner), padding] { return *owner + padding[1]; });
    ASSERT_EQ(reset_one() + (*destroyed_one)(), 9) << "ch14.inline_function: the targets run";
    reset_one = nullptr;
    EXPECT_FALSE(reset_one) << "ch14.inline_call: an InlineFunction assigned nullptr is empty (its "
                               "call pointer is null)";
    EXPECT_THROW(reset_one(), std::bad_function_call)
        << "ch14.inline_call: calling one that was reset throws, as a std::function would";
    EXPECT_FALSE(reset_watch.expired())
        << "ch14.inline_function: emptying one heap target leaves the other's captures alone";
    destroyed_one.reset();
    EXPECT_TRUE(destroyed_watch.expired())
        << "ch14.inline_function: resetting one and destroying the other end both heap targets "
           "(the manager the constructor chose frees them): the shared_ptr they captured is "
           "released";
}

namespace {
aio::Coro<void> wait_for(aio::Future<void> future) {
    co_await future;
}

// The task's reference count, less the copy made to read it.
long owners_of(const aio::TaskBase& task) {
    return const_cast<aio::TaskBase&>(task).shared().use_count() - 1;
}

aio::Coro<int> yield_then_return(int yields, looplab::Counted kept) {
    using namespace std::chrono_literals;
    for (int i = 0; i < yields; ++i)
        co_await aio::sleep(0s);
    (void)kept;
    co_return yields;
}

aio::Coro<void> start_and_outlive(LifetimeCounts* counts, int* alive_after) {
    using namespace std::chrono_literals;
    aio::create_task(yield_then_return(3, Counted(*counts))); // handle dropped at once
    for (int i = 0; i < 10; ++i)
        co_await aio::sleep(0s);
    *alive_after = counts->alive();
}
} // namespace

// A queued step owns nothing: the task it steps is owned by the loop's task
// registry (and by the handles the program keeps), so counting the owners of a
// task whose step is queued and of the same task waiting on a future (no step
// queued) gives the same number. Chapter 05's step holds a shared_ptr: one more.
TEST(FastLoop, AQueuedStepHoldsNoReferenceToItsTask) {
    aio::EventLoop loop;
    aio::Future<void> never(loop);
    aio::Task<void> task = aio::create_task(loop, wait_for(never));
    long while_queued = owners_of(task.base());
    loop.call_soon([&loop] { loop.stop(); }); // queued after the first step
    loop.run_forever();
    ASSERT_EQ(task.base().state(), aio::TaskBase::State::WAITING)
        << "the task's first step ran and left it waiting on its future";
    long while_waiting = owners_of(task.base());
    std::printf("  owners of a task: %ld while its step is queued, %ld while it waits\n",
                while_queued, while_waiting);
    EXPECT_EQ(while_queued, while_waiting)
        << "ch14.plain_step: a queued step adds no owner to its task (the registry and the "
           "handle own it): no reference count is touched per step";
    never.set_result();
    aio::run_until_complete(loop, aio::Future<void>(task));
    loop.close();
}

// The step that ends a task may free it: a task whose handle was dropped runs
// every step, and is gone (with its result) once it is done, not leaked.
TEST(FastLoop, ATaskNobodyKeepsRunsToTheEndAndIsFreed) {
    LifetimeCounts counts;
    int alive_after = -1;
    aio::run(start_and_outlive(&counts, &alive_after));
    EXPECT_GT(counts.constructed(), 0) << "the task was never started";
    EXPECT_EQ(alive_after, 0) << "ch14.plain_step: a finished task nobody keeps is freed with its "
                                 "frame ("
                              << counts.summary() << ")";
}
