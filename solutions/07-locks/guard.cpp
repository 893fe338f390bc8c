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

namespace {
// Both guards, the Lock's and the Semaphore's: acquire, then own the release.
template <class Primitive>
Coro<Guard> acquire_guard(Primitive& primitive) {
    //@scratch ch07.lock_guard
    //@exercise ch07.lock_guard  Acquire, then return a Guard owning the release.
    co_await primitive.acquire();
    co_return Guard([&primitive] { primitive.release(); }, get_running_loop());
    //@end
    //@end
}
} // namespace

Coro<Guard> Lock::guard() {
    return acquire_guard(*this);
}

Coro<Guard> Semaphore::guard() {
    return acquire_guard(*this);
}

} // namespace aio
