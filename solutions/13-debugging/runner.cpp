// asyncio.Runner's Ctrl-C for run_interruptible (see runner.hpp).
#include "runner.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "task_tree.hpp"

namespace aio::detail {

SigintCatcher::SigintCatcher(EventLoop& loop, TaskBase& main) : loop_(loop), main_(main) {
    add_signal_handler(loop_, SIGINT, [this] { on_sigint(); });
    dumping_ = dump_task_tree_on_sigquit_if_asked(loop_);
}

SigintCatcher::~SigintCatcher() {
    remove_signal_handler(loop_, SIGINT);
    if (dumping_) remove_signal_handler(loop_, SIGQUIT);
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

bool dump_task_tree_on_sigquit_if_asked(EventLoop& loop) {
    const char* asked = std::getenv("LOOPLAB_DUMP");
    if (asked == nullptr || std::strcmp(asked, "1") != 0) return false;
    //@exercise ch13.sigquit_dump  On each SIGQUIT, the task tree to stderr, under a heading line.
    add_signal_handler(loop, SIGQUIT, [&loop] {
        std::fprintf(stderr, "looplab: the task tree (SIGQUIT, LOOPLAB_DUMP=1)\n%s",
                     format_task_tree(loop).c_str());
    });
    return true;
    //@end
}

} // namespace aio::detail
