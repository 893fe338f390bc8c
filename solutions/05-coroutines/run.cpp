// run()'s clean-up: cancel what is left, wait for it, report its errors
// (asyncio: runners._cancel_all_tasks).
#include "task.hpp"

#include <cstddef>

namespace aio::detail {

namespace {
// A future that resolves once every task is done (a small gather(), which
// chapter 06 builds properly).
Future<void> all_done(EventLoop& loop, const std::vector<std::shared_ptr<TaskBase>>& tasks) {
    Future<void> done(loop);
    auto remaining = std::make_shared<std::size_t>(tasks.size());
    for (const auto& task : tasks)
        task->future_state().add_done_callback([done, remaining](FutureStateBase&) mutable {
            if (--*remaining == 0) done.set_result();
        });
    return done;
}
} // namespace

void cancel_all_tasks(EventLoop& loop) {
    //@exercise ch05.run  Cancel the pending tasks, wait for all, report each error once.
    std::vector<std::shared_ptr<TaskBase>> leftovers = loop.extension<TaskRegistry>().pending();
    if (leftovers.empty()) return;
    for (const auto& task : leftovers)
        task->cancel();
    run_until_complete(loop, all_done(loop, leftovers));
    for (const auto& task : leftovers) {
        if (task->cancelled()) continue;
        // exception() marks it retrieved: no second "never retrieved" report.
        if (std::exception_ptr error = task->future_state().exception())
            loop.call_exception_handler(
                {"unhandled exception during run() shutdown (" + task->get_name() + ")", error});
    }
    //@end
}

} // namespace aio::detail
