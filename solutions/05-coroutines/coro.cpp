// The trampoline that drives a task's frames (see coro.hpp).
#include "coro.hpp"

#include <cassert>

namespace aio::detail {

void FrameStack::run() {
    //@scratch ch05.trampoline
    //@exercise ch05.trampoline  Resume the top frame while frames push/pop; stop on a wait.
    assert(top_ && "run() needs a frame to resume: start() or push() one first");
    do {
        suspension_ = Suspension::NONE; // stays NONE if a foreign awaiter suspends
        top_.resume();                  // returns at the frame's next suspension point
    } while (top_ && (suspension_ == Suspension::CALL || suspension_ == Suspension::RETURN));
    //@end
    //@end
}

} // namespace aio::detail
