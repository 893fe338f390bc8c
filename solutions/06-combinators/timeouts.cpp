// The deadline of a timeout block and the cancel-and-wait of wait_for
// (asyncio: timeouts.Timeout, tasks._cancel_and_wait).
#include "timeouts.hpp"

#include <cassert>
#include <string>

namespace aio::detail {

namespace {
TaskBase& running_task(const char* what) {
    TaskBase* task = current_task();
    if (task == nullptr)
        throw RuntimeError(std::string(what) +
                           " must be awaited inside a task (create_task or run)");
    return *task;
}
} // namespace

bool is_cancellation(const std::exception_ptr& error) {
    if (!error) return false;
    try {
        std::rethrow_exception(error);
    } catch (const CancelledError&) {
        return true;
    } catch (...) {
        return false;
    }
}

// asyncio: Timeout.__aenter__ and reschedule(). A deadline already passed is
// queued with call_soon, not call_at: a due timer would join the ready queue
// only after the task's own next step, so a body whose one wait is sleep(0s)
// would finish first, where asyncio raises TimeoutError.
TimeoutScope::TimeoutScope(TimePoint deadline)
    : task_(running_task("timeout()")), cancelling_at_entry_(task_.cancelling()) {
    EventLoop& loop = task_.get_loop();
    if (deadline <= loop.time())
        expiry_soon_ = loop.call_soon([this] { on_deadline(); });
    else
        timer_ = loop.call_at(deadline, [this] { on_deadline(); });
}

void TimeoutScope::on_deadline() {
    //@scratch ch06.timeout_expire
    //@exercise ch06.timeout_expire  Cancel the task; remember the cancel is ours.
    assert(status_ == Status::ENTERED && "timeout: the deadline fired after the block ended");
    task_.cancel();
    status_ = Status::EXPIRING;
    //@end
    //@end
}

std::exception_ptr TimeoutScope::exit(std::exception_ptr error) {
    //@scratch ch06.timeout_exit
    //@exercise ch06.timeout_exit  Stop the timer; if expired, ours? Then TimeoutError.
    stop_timer();
    if (status_ != Status::EXPIRING) {
        status_ = Status::EXITED;
        return error;
    }
    status_ = Status::EXPIRED;
    if (task_.uncancel() <= cancelling_at_entry_ && is_cancellation(error))
        return std::make_exception_ptr(TimeoutError("timeout: the deadline passed"));
    return error;
    //@end
    //@end
}

Coro<void> cancel_and_wait(std::shared_ptr<FutureStateBase> f) {
    //@scratch ch06.cancel_and_wait
    //@exercise ch06.cancel_and_wait  Cancel f; wait until it is done; clean up either way.
    Future<void> finished(f->loop());
    CallbackId id = f->add_done_callback([finished](FutureStateBase&) mutable {
        if (!finished.done()) finished.set_result();
    });
    f->cancel({});
    std::exception_ptr error;
    try {
        co_await finished;
    } catch (...) {
        error = std::current_exception(); // an outside cancel: pass it on, after the clean-up
    }
    f->remove_done_callback(id);
    if (error) std::rethrow_exception(error);
    //@end
    //@end
}

} // namespace aio::detail
