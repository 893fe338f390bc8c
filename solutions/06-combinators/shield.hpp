// shield: a future whose cancellation does not reach the one inside
// (asyncio.shield).
#pragma once

#include <memory>
#include <utility>

#include "task.hpp"

namespace aio {

// Returns an outer future that mirrors inner. Cancelling the outer (or the
// task awaiting it) leaves inner running. A done inner is returned as is.
// Once the outer is cancelled, inner's own ending is nobody's: an exception
// it ends with is reported as never retrieved, once, when its last handle goes.
// The callbacks hold each other's future weakly: no cycle of handles.
template <class T>
Future<T> shield(Future<T> inner) {
    //@scratch ch06.shield
    //@exercise ch06.shield  A done inner as is; else an outer mirroring it.
    if (inner.done()) return inner;
    Future<T> outer(inner.get_loop());
    std::weak_ptr<detail::FutureState<T>> weak_outer = outer.state();
    CallbackId id = inner.add_done_callback([weak_outer](Future<T> finished) {
        auto state = weak_outer.lock();
        if (!state || state->done()) return; // the outer was cancelled (or dropped)
        Future<T> mirror(state);
        if (finished.cancelled())
            mirror.cancel();
        else if (std::exception_ptr error = finished.exception())
            mirror.set_exception(error);
        else if constexpr (std::is_void_v<T>)
            mirror.set_result();
        else
            mirror.set_result(finished.result());
    });
    std::weak_ptr<detail::FutureState<T>> weak_inner = inner.state();
    outer.add_done_callback([weak_inner, id](Future<T>) {
        if (auto state = weak_inner.lock(); state && !state->done())
            state->remove_done_callback(id);
    });
    return outer;
    //@end
    //@end
}

} // namespace aio
