// run()'s clean-up: cancel what is left, wait for it, report its errors
// (asyncio: runners._cancel_all_tasks).
#include "task.hpp"

#include <cstddef>

namespace aio::detail {

void cancel_all_tasks(EventLoop& loop) {
    //@scratch ch05.cancel_all
    //@exercise ch05.cancel_all  Cancel the pending tasks, wait for all, report each error once.
    std::vector<std::shared_ptr<TaskBase>> leftovers = loop.extension<TaskRegistry>().pending();
    if (leftovers.empty()) return;
    // A future done once every leftover is: a small gather(), which chapter 06 builds properly.
    Future<void> all_done(loop);
    auto remaining = std::make_shared<std::size_t>(leftovers.size());
    for (const auto& task : leftovers) {
        task->future_state().add_done_callback([all_done, remaining](FutureStateBase&) mutable {
            if (--*remaining == 0) all_done.set_result();
        });
        task->cancel();
    }
    run_until_complete(loop, all_done);
    for (const auto& task : leftovers) {
        if (task->cancelled()) continue;
        // exception() marks it retrieved: no second "never retrieved" report.
        if (std::exception_ptr error = task->future_state().exception())
            loop.call_exception_handler(
                {"unhandled exception during run() shutdown (" + task->get_name() + ")", error});
    }
    //@end
    //@end
}

} // namespace aio::detail
