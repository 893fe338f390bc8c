// The future's state machine and its done callbacks (asyncio: futures.Future;
// the messages are those of CPython's C accelerator, _asyncio.Future).
#include "future_state.hpp"

#include <algorithm>
#include <cstdio>

#include "event_loop.hpp"

namespace aio::detail {

FutureStateBase::FutureStateBase(EventLoop& loop, const char* class_name)
    : loop_(&loop), loop_alive_(loop.lifetime()), class_name_(class_name) {}

FutureStateBase::~FutureStateBase() {
    if (log_traceback_) report_unretrieved();
}

// The one place a finished outcome is handed out: result() and exception()
// both come through here, so both count as retrieving it.
std::exception_ptr FutureStateBase::outcome(const char* pending_message) {
    //@exercise ch04.result  Cancelled: CancelledError; pending: InvalidStateError; else retrieved.
    if (status_ == Status::CANCELLED) throw CancelledError(cancel_message_);
    if (status_ == Status::PENDING) throw InvalidStateError(pending_message);
    log_traceback_ = false;
    return exception_;
    //@end
}

std::exception_ptr FutureStateBase::exception() {
    return outcome("Exception is not set.");
}

void FutureStateBase::throw_unless_result() {
    if (std::exception_ptr error = outcome("Result is not set.")) std::rethrow_exception(error);
}

void FutureStateBase::check_pending() const {
    if (status_ != Status::PENDING) throw InvalidStateError("invalid state");
}

void FutureStateBase::set_exception(std::exception_ptr e) {
    check_settable();
    check_pending();
    if (!e) throw ValueError("set_exception: the exception_ptr is null; use set_result()");
    finish(std::move(e));
}

void FutureStateBase::finish(std::exception_ptr error) {
    //@exercise ch04.finish  FINISHED; keep the error, arm the never-retrieved report; schedule.
    status_ = Status::FINISHED;
    // Armed only now: the code that awaits this future usually retrieves the
    // exception in a callback, so there is nothing to report yet.
    log_traceback_ = error != nullptr;
    exception_ = std::move(error);
    schedule_callbacks();
    //@end
}

bool FutureStateBase::cancel(std::string message) {
    // asyncio clears __log_traceback even when the future is already done: a
    // caller that cancels has given up on the outcome, so nothing is reported.
    mark_retrieved();
    return mark_cancelled(std::move(message));
}

bool FutureStateBase::mark_cancelled(std::string message) {
    //@exercise ch04.cancel  False unless pending; else CANCELLED, keep the message, schedule.
    if (status_ != Status::PENDING) return false;
    status_ = Status::CANCELLED;
    cancel_message_ = std::move(message);
    schedule_callbacks();
    return true;
    //@end
}

// Each callback goes to call_soon with a strong reference to this state, so
// the future lives until its callbacks ran, even if every handle is gone.
void FutureStateBase::schedule(DoneCallback cb) {
    //@exercise ch04.schedule  call_soon a lambda holding shared_from_this() that calls cb(*self).
    loop_->call_soon([self = shared_from_this(), cb = std::move(cb)] { cb(*self); });
    //@end
}

// asyncio: Future.__schedule_callbacks. Never inline: a callback run inside
// set_result would run in the middle of its caller's code, which may not expect
// it (re-entrancy), and deep chains of futures would grow the stack.
void FutureStateBase::schedule_callbacks() {
    //@exercise ch04.schedule_callbacks  Take the whole list (empty it first), then schedule each.
    // Moved out before any call_soon: the list is empty from now on, so a
    // remove_done_callback says false and nothing is scheduled twice.
    std::vector<std::pair<CallbackId, DoneCallback>> callbacks = std::move(callbacks_);
    callbacks_.clear();
    for (auto& entry : callbacks)
        schedule(std::move(entry.second));
    //@end
}

CallbackId FutureStateBase::add_done_callback(DoneCallback cb) {
    //@exercise ch04.add_done_callback  New id; done: schedule it now; pending: append (id, cb).
    CallbackId id = next_id_++;
    if (done())
        schedule(std::move(cb));
    else
        callbacks_.emplace_back(id, std::move(cb));
    return id;
    //@end
}

bool FutureStateBase::remove_done_callback(CallbackId id) {
    return std::erase_if(callbacks_, [id](const auto& entry) { return entry.first == id; }) > 0;
}

// asyncio: Future.__del__. Called from the destructor, so it must not throw.
void FutureStateBase::report_unretrieved() noexcept {
    //@exercise ch04.never_retrieved  Loop alive? Report "<class> exception was never retrieved".
    //@stub (void)NotImplemented("ch04.never_retrieved"); // names the exercise on stderr; no throw
    std::string message = std::string(class_name_) + " exception was never retrieved";
    // A future may outlive its loop: then there is no handler left to call.
    if (loop_alive_.expired()) {
        std::fprintf(stderr, "%s (its event loop was already destroyed)\n", message.c_str());
        return;
    }
    try {
        loop_->call_exception_handler({std::move(message), exception_});
    } catch (...) {
        // call_exception_handler falls back to the default handler itself;
        // what is left (bad_alloc) cannot leave a destructor.
    }
    //@end
}

} // namespace aio::detail
