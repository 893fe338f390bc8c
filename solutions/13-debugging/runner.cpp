// asyncio.Runner's Ctrl-C for run_interruptible (see runner.hpp).
#include "runner.hpp"

#include <csignal>

namespace aio::detail {

SigintCatcher::SigintCatcher(EventLoop& loop, TaskBase& main) : loop_(loop), main_(main) {
    add_signal_handler(loop_, SIGINT, [this] { on_sigint(); });
}

SigintCatcher::~SigintCatcher() {
    remove_signal_handler(loop_, SIGINT);
}

void SigintCatcher::on_sigint() {
    //@exercise ch13.on_sigint  The first SIGINT cancels main; a later one ends the process.
    ++interrupts_;
    if (interrupts_ == 1 && !main_.done()) {
        main_.cancel();
        return;
    }
    remove_signal_handler(loop_, SIGINT); // the default disposition: Ctrl-C kills
    std::raise(SIGINT);
    //@end
}

void SigintCatcher::finish(std::exception_ptr error) {
    if (!error) return;
    //@exercise ch13.run_interrupt  Rethrow the error; our cancel becomes Interrupted.
    try {
        std::rethrow_exception(error);
    } catch (const CancelledError&) {
        if (interrupts_ > 0 && main_.uncancel() == 0)
            throw Interrupted("interrupted by SIGINT: the main task was cancelled");
        throw;
    }
    //@end
}

} // namespace aio::detail
