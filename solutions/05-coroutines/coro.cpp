// The trampoline that drives a task's frames (see coro.hpp).
#include "coro.hpp"

namespace aio::detail {

void FrameStack::run() {
    //@exercise ch05.trampoline  Resume top_ while frames push/pop; stop on a wait or root done.
    do {
        suspension_ = Suspension::none;
        top_.resume(); // returns at the frame's next suspension point
    } while (top_ && (suspension_ == Suspension::call || suspension_ == Suspension::ret));
    //@end
}

} // namespace aio::detail
