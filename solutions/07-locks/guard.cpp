// Guard, the kit's `async with`: a release owned by an object, so leaving the
// block by any path releases (asyncio: _ContextManagerMixin.__aexit__).
#include <exception>
#include <string>

#include "locks.hpp"

namespace aio {

// A destructor must not throw: a failing release is reported, not lost.
Guard::~Guard() {
    //@exercise ch07.guard  If the guard still owns its release, run it; report a failure to the
    // loop's exception handler.
    //@stub aio::detail::not_implemented_abort("ch07.guard");
    if (!release_) return;
    try {
        release();
    } catch (...) {
        if (loop_ != nullptr)
            loop_->call_exception_handler(
                {"Guard: the release at the end of the block failed", std::current_exception()});
    }
    //@end
}

void Guard::release() {
    if (!release_)
        throw RuntimeError("Guard::release: this guard owns nothing (released already?)");
    std::exchange(release_, nullptr)();
}

Coro<Guard> Lock::guard() {
    //@exercise ch07.lock_guard  Acquire, then hand back a Guard that owns this lock's release.
    co_await acquire();
    co_return Guard([this] { release(); }, get_running_loop());
    //@end
}

Coro<Guard> Semaphore::guard() {
    co_await acquire();
    co_return Guard([this] { release(); }, get_running_loop());
}

} // namespace aio
