// The fast loop's task step: chapter 05's step_queue.cpp, replaced. uvloop
// keeps asyncio's Task as it is; here the step callback is where the time goes
// (make bench's B3: a task switch per sleep(0s)).
#include "task.hpp"

namespace aio {

// Chapter 05's step owns its task through a shared_ptr in its captures: a weak
// lock to make it (shared_from_this), two atomic operations, and a callback
// that is not plain bytes, so the ready ring moves it through its manager,
// twice. A pending task is owned already, by the loop's task registry, and only
// a step can end it; so the step needs only the task's address. The step that
// ends the task may free it (complete() leaves the registry): nothing after
// the step touches the task, and close() drops queued steps without running
// them.
void TaskBase::queue_step() {
    //@exercise ch14.plain_step  Queue the next step without touching the task's reference count.
    //@stub get_loop().call_soon([self = shared()] { self->step(); }); // owns the task, as chapter 05's
    get_loop().call_soon([this] { step(); });
    //@end
}

} // namespace aio
