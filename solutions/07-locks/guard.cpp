// Guard, the kit's `async with`: a release owned by an object, so leaving the
// block by any path releases (asyncio: _ContextManagerMixin.__aexit__).
#include <exception>
#include <string>
#include <utility>

#include "locks.hpp"

namespace aio {

Guard& Guard::operator=(Guard&& other) noexcept {
    if (this != &other) {
        Guard dropped(std::move(*this)); // releases what this guard owned, as it goes
        release_ = std::exchange(other.release_, nullptr);
        loop_ = other.loop_;
    }
    return *this;
}

// A destructor must not throw: a failing release is reported, not lost.
Guard::~Guard() {
    //@scratch ch07.guard
    //@stub aio::detail::not_implemented_abort("ch07.guard");
    //@exercise ch07.guard  Run the owned release; report a failure, never throw.
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
    //@end
}

void Guard::release() {
    if (!release_)
        throw RuntimeError("Guard::release: this guard owns nothing (released already?)");
    std::exchange(release_, nullptr)();
}

Coro<Guard> Lock::guard() {
    //@scratch ch07.lock_guard
    //@exercise ch07.lock_guard  Acquire, then return a Guard owning the release.
    co_await acquire();
    co_return Guard([this] { release(); }, get_running_loop());
    //@end
    //@end
}

Coro<Guard> Semaphore::guard() {
    co_await acquire();
    Guard held([this] { release(); }, get_running_loop());
    co_return std::move(held);
}

} // namespace aio
