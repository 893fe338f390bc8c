// A Handle: what call_soon returns, to cancel the callback before it runs (asyncio.Handle).
#include "handle.hpp"

namespace aio {

void Handle::cancel() {
    //@scratch ch03.handle_cancel
    //@exercise ch03.handle_cancel  Cancel the callback: through the shared flag, or by ticket.
    cancelled_ = true;
    if (flag_)
        flag_->store(true);
    else if (queue_ != nullptr)
        queue_->cancel(ticket_);
    //@end
    //@end
}

bool Handle::cancelled() const {
    if (flag_) return flag_->load();
    return cancelled_ || (queue_ != nullptr && queue_->cancelled(ticket_));
}

} // namespace aio
