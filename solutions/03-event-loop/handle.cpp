// A Handle: what call_soon returns, to cancel the callback before it runs (asyncio.Handle).
#include "handle.hpp"

namespace aio {

void Handle::cancel() {
    cancelled_ = true;
    if (flag_)
        flag_->store(true);
    else if (queue_ != nullptr)
        queue_->cancel(ticket_);
}

bool Handle::cancelled() const {
    if (flag_) return flag_->load();
    return cancelled_ || (queue_ != nullptr && queue_->cancelled(ticket_));
}

} // namespace aio
