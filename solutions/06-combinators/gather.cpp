// The type-erased heart of gather: counting children, the first error, the
// cancel that goes down to every child (asyncio: tasks.gather).
#include "gather.hpp"

#include <algorithm>
#include <cassert>

namespace aio::detail {

EventLoop& loop_of_children(const std::vector<StatePtr>& children) {
    if (children.empty()) return get_running_loop();
    EventLoop& loop = children.front()->loop();
    for (const StatePtr& child : children)
        if (&child->loop() != &loop)
            throw ValueError("gather: every child must belong to the same event loop");
    return loop;
}

GatherBase::GatherBase(std::vector<StatePtr> children, bool keep_errors)
    : keep_errors_(keep_errors) {
    for (StatePtr& child : children)
        if (std::find(unique_.begin(), unique_.end(), child) == unique_.end())
            unique_.push_back(std::move(child));
}

std::weak_ptr<GatherBase> GatherBase::weak_self() {
    return std::shared_ptr<GatherBase>(outer().shared_from_this(), this);
}

void GatherBase::watch_children() {
    //@scratch ch06.gather_watch
    //@exercise ch06.gather_watch  Subscribe to every pending child; count the done ones now.
    if (unique_.empty()) {
        set_outer_results();
        return;
    }
    std::vector<FutureStateBase*> already_done;
    for (const StatePtr& child : unique_) {
        if (child->done()) {
            already_done.push_back(child.get());
            continue;
        }
        child->add_done_callback([weak = weak_self()](FutureStateBase& done_child) {
            if (auto self = weak.lock()) {
                self->on_child_done(done_child);
            } else if (!done_child.cancelled()) {
                done_child.exception(); // nobody holds the outer: retrieved, not reported
            }
        });
    }
    for (FutureStateBase* child : already_done)
        on_child_done(*child);
    //@end
    //@end
}

void GatherBase::on_child_done(FutureStateBase& child) {
    //@scratch ch06.gather_child_done
    //@exercise ch06.gather_child_done  Count the child; the first error or the last child ends it.
    ++finished_;
    assert(finished_ <= unique_.size() && "gather: a child was counted twice");
    FutureStateBase& gathering = outer();
    if (gathering.done()) {
        if (!child.cancelled()) child.exception(); // retrieved: the outer already reported
        return;
    }
    if (!keep_errors_) {
        if (child.cancelled()) {
            gathering.set_exception(
                std::make_exception_ptr(CancelledError(child.cancel_message())));
            return;
        }
        if (std::exception_ptr error = child.exception()) {
            gathering.set_exception(error);
            return;
        }
    }
    if (finished_ < unique_.size()) return;
    if (cancel_requested_)
        gathering.set_exception(std::make_exception_ptr(CancelledError(cancel_message_)));
    else
        set_outer_results();
    //@end
    //@end
}

bool GatherBase::cancel_children(const std::string& message) {
    //@scratch ch06.gather_cancel
    //@exercise ch06.gather_cancel  Cancel every child; true if any accepted (then remember it).
    if (outer().done()) return false;
    bool any_cancelled = false;
    for (const StatePtr& child : unique_)
        if (child->cancel(message)) any_cancelled = true;
    if (any_cancelled) {
        cancel_requested_ = true;
        cancel_message_ = message;
    }
    return any_cancelled;
    //@end
    //@end
}

} // namespace aio::detail
