// The future's state machine and its done callbacks (asyncio: futures.Future;
// the messages are those of CPython's C accelerator, _asyncio.Future).
#include "future_state.hpp"

#include <algorithm>
#include <cassert>
#include <cstdio>

#include "event_loop.hpp"

namespace aio::detail {

FutureStateBase::FutureStateBase(EventLoop& loop, const char* class_name)
    : loop_(&loop), loop_alive_(loop.lifetime()), class_name_(class_name) {}

FutureStateBase::~FutureStateBase() {
    if (log_traceback_) report_unretrieved();
}

bool FutureStateBase::holds_one_state() const {
    switch (status_) {
    case Status::PENDING: return !exception_ && !log_traceback_ && cancel_message_.empty();
    case Status::FINISHED: return callbacks_.empty() && (exception_ || !log_traceback_);
    case Status::CANCELLED: return callbacks_.empty() && !exception_ && !log_traceback_;
    }
    return false;
}

// The one place a finished outcome is handed out: result() and exception()
// both come through here, so both count as retrieving it.
std::exception_ptr FutureStateBase::outcome(const char* pending_message) {
    //@scratch ch04.result
    //@exercise ch04.result  Throw for a cancelled or a pending future; else hand out the exception.
    if (status_ == Status::CANCELLED) throw CancelledError(cancel_message_);
    if (status_ == Status::PENDING) throw InvalidStateError(pending_message);
    log_traceback_ = false; // retrieved: nothing to report any more
    return exception_;
    //@end
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

void FutureStateBase::finish(std::exception_ptr error) {
    assert(status_ == Status::PENDING && "one state per future: finish() on a done future");
    //@scratch ch04.finish
    //@exercise ch04.finish  Move to FINISHED with the error; arm the report; schedule.
    status_ = Status::FINISHED;
    // Armed only now: the code that awaits this future usually retrieves the
    // exception in a callback, so there is nothing to report yet.
    log_traceback_ = error != nullptr;
    exception_ = std::move(error);
    schedule_callbacks();
    //@end
    //@end
    assert(holds_one_state() && "one state per future: finish() leaves it FINISHED");
}

void FutureStateBase::set_exception(std::exception_ptr e) {
    check_settable();
    //@scratch ch04.set_exception
    //@exercise ch04.set_exception  Refuse a done future, then a null exception; finish with it.
    check_pending();
    if (!e) throw ValueError("set_exception: the exception_ptr is null; use set_result()");
    finish(std::move(e));
    //@end
    //@end
}

bool FutureStateBase::cancel(std::string message) {
    // asyncio clears __log_traceback even when the future is already done: a
    // caller that cancels has given up on the outcome, so nothing is reported.
    mark_retrieved();
    return mark_cancelled(std::move(message));
}

bool FutureStateBase::mark_cancelled(std::string message) {
    //@scratch ch04.cancel
    //@exercise ch04.cancel  Refuse a done future (false); else CANCELLED; schedule.
    if (status_ != Status::PENDING) return false;
    status_ = Status::CANCELLED;
    cancel_message_ = std::move(message);
    schedule_callbacks();
    //@end
    //@end
    assert(holds_one_state() && "one state per future: cancel leaves it CANCELLED");
    return true;
}

// asyncio: Future.__schedule_callbacks. Never inline: a callback run inside
// set_result would run in the middle of its caller's code, which may not expect
// it (re-entrancy), and deep chains of futures would grow the stack.
void FutureStateBase::schedule_callbacks() {
    if (callbacks_.empty()) return; // nothing registered, nothing to schedule
    //@scratch ch04.schedule_callbacks
    //@exercise ch04.schedule_callbacks  Empty the list; call_soon each one with a strong reference.
    // Moved out before any call_soon: the list is empty from now on, so a
    // remove_done_callback says false and nothing is scheduled twice.
    std::vector<std::pair<CallbackId, DoneCallback>> callbacks = std::move(callbacks_);
    callbacks_.clear();
    // Each queued lambda owns a strong reference: the future lives until its
    // callbacks ran, even if every handle is gone (asyncio: call_soon(cb, self)).
    for (auto& entry : callbacks)
        loop_->call_soon([self = shared_from_this(), cb = std::move(entry.second)] { cb(*self); });
    //@end
    //@end
}

CallbackId FutureStateBase::add_done_callback(DoneCallback cb) {
    // Checked on the way in: a done future's list was emptied, and stays so.
    assert(holds_one_state() && "one state per future: a done future keeps no callback");
    //@scratch ch04.add_done_callback
    //@exercise ch04.add_done_callback  A fresh id; append it; a done future schedules it now.
    CallbackId id = next_id_++;
    callbacks_.emplace_back(id, std::move(cb));
    // Done already: its callbacks were scheduled (the list is empty but for
    // this one), so schedule this one too; still through the loop, never inline.
    if (done()) schedule_callbacks();
    return id;
    //@end
    //@end
}

bool FutureStateBase::remove_done_callback(CallbackId id) {
    //@scratch ch04.remove_done_callback
    //@exercise ch04.remove_done_callback  Erase the entry with this id; say whether there was one.
    auto same_id = [id](const auto& entry) { return entry.first == id; };
    return std::erase_if(callbacks_, same_id) > 0;
    //@end
    //@end
}

// asyncio: Future.__del__. Called from the destructor, so it must not throw.
void FutureStateBase::report_unretrieved() noexcept {
    //@scratch ch04.never_retrieved
    //@stub (void)NotImplemented("ch04.never_retrieved"); // names the exercise on stderr; no throw
    //@exercise ch04.never_retrieved  Report it to the loop's exception handler, or to stderr.
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
    //@end
}

} // namespace aio::detail
