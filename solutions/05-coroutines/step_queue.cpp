// How a task queues its next step (asyncio: self._loop.call_soon(self.__step)).
// A file of its own because chapter 14's fast loop replaces it, as it replaces
// chapter 03's poll_shortcut.cpp.
#include "task.hpp"

namespace aio {

// The queued callback owns the task: a shared_ptr in its captures keeps the
// task alive until the step has run, whoever lets go of the task meanwhile.
void TaskBase::queue_step() {
    get_loop().call_soon([self = shared()] { self->step(); });
}

} // namespace aio
