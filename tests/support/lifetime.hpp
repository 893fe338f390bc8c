// A lifetime counter for objects held in coroutine frames: counts
// constructions, copies, moves and destructions, so a test can prove that
// every object was destroyed exactly once and that no frame leaked
// (cppcoro: test/counted.hpp).
#pragma once

#include <atomic>
#include <string>

namespace looplab {

// The tally of one test. No global state: each test owns its counts and hands
// them to the Counted objects it creates. Atomic, because a copy may die on an
// executor's worker thread (chapter 09) while the loop's thread counts others.
struct LifetimeCounts {
    std::atomic<int> default_constructed = 0;
    std::atomic<int> copy_constructed = 0;
    std::atomic<int> move_constructed = 0;
    std::atomic<int> copy_assigned = 0;
    std::atomic<int> move_assigned = 0;
    std::atomic<int> destroyed = 0;

    int constructed() const { return default_constructed + copy_constructed + move_constructed; }
    int alive() const { return constructed() - destroyed; } // 0 once every frame is gone
    std::string summary() const {
        return "constructed " + std::to_string(constructed()) + " (copied " +
               std::to_string(copy_constructed) + ", moved " + std::to_string(move_constructed) +
               "), destroyed " + std::to_string(destroyed);
    }
};

// Put one in a coroutine's parameters or locals; its counts record what the
// frame did with it. A moved-from Counted still counts its own destruction.
class Counted {
public:
    explicit Counted(LifetimeCounts& counts) : counts_(&counts) { ++counts_->default_constructed; }
    Counted(const Counted& other) : counts_(other.counts_) { ++counts_->copy_constructed; }
    Counted(Counted&& other) noexcept : counts_(other.counts_) { ++counts_->move_constructed; }
    Counted& operator=(const Counted& other) {
        counts_ = other.counts_;
        ++counts_->copy_assigned;
        return *this;
    }
    Counted& operator=(Counted&& other) noexcept {
        counts_ = other.counts_;
        ++counts_->move_assigned;
        return *this;
    }
    ~Counted() { ++counts_->destroyed; }

    const LifetimeCounts& counts() const { return *counts_; }

private:
    LifetimeCounts* counts_;
};

} // namespace looplab
