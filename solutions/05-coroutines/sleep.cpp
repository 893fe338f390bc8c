// sleep(): a future resolved by a timer, awaited; sleep(0s) is one bare yield
// (asyncio: tasks.sleep and tasks.__sleep0).
#include "task.hpp"

namespace aio {

namespace {
// Cancels a timer when the sleeping frame ends, however it ends: a cancelled
// sleep must not leave its timer behind (asyncio: sleep's `finally: h.cancel()`).
class CancelTimerOnExit {
public:
    explicit CancelTimerOnExit(TimerHandle timer) : timer_(std::move(timer)) {}
    ~CancelTimerOnExit() { timer_.cancel(); }
    CancelTimerOnExit(const CancelTimerOnExit&) = delete;
    CancelTimerOnExit& operator=(const CancelTimerOnExit&) = delete;

private:
    TimerHandle timer_;
};
} // namespace

Coro<void> sleep(Duration delay) {
    //@scratch ch05.sleep
    //@exercise ch05.sleep  <= 0: one bare yield. Else await a future a timer resolves.
    if (delay <= Duration::zero()) {
        co_await detail::YieldAwaiter{};
        co_return;
    }
    EventLoop& loop = get_running_loop();
    Future<void> wake_up(loop);
    // asyncio: futures._set_result_unless_cancelled
    CancelTimerOnExit timer(loop.call_later(delay, [wake_up]() mutable {
        if (!wake_up.done()) wake_up.set_result();
    }));
    co_await wake_up;
    //@end
    //@end
}

} // namespace aio
