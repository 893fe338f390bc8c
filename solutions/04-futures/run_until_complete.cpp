// Running the loop until one future is done (asyncio: BaseEventLoop.run_until_complete).
#include "future.hpp"

namespace aio::detail {

namespace {
// Removes run_until_complete's done callback on every way out, an exception
// included: a future that outlives this call must not stop the loop later.
class DoneCallbackRemover {
public:
    DoneCallbackRemover(FutureStateBase& state, CallbackId id) : state_(state), id_(id) {}
    ~DoneCallbackRemover() { state_.remove_done_callback(id_); }
    DoneCallbackRemover(const DoneCallbackRemover&) = delete;
    DoneCallbackRemover& operator=(const DoneCallbackRemover&) = delete;

private:
    FutureStateBase& state_;
    CallbackId id_;
};
} // namespace

void run_until_done(EventLoop& loop, FutureStateBase& state) {
    //@scratch ch04.run_until_complete
    //@exercise ch04.run_until_complete  Refuse misuse; run the loop until a done callback stops it.
    // Checked before anything is registered, in asyncio's order.
    if (loop.is_closed()) throw RuntimeError("Event loop is closed");
    if (loop.is_running()) throw RuntimeError("This event loop is already running");
    if (running_loop() != nullptr)
        throw RuntimeError("Cannot run the event loop while another loop is running");
    if (&state.loop() != &loop)
        throw ValueError("The future belongs to a different loop than the one specified as the "
                         "loop argument");
    // asyncio: _run_until_complete_cb. Scheduled like any done callback, so the
    // loop stops at the end of the iteration in which the future completed.
    CallbackId id = state.add_done_callback([](FutureStateBase& done) { done.loop().stop(); });
    DoneCallbackRemover remover(state, id);
    loop.run_forever();
    // run_forever also returns when someone else called stop().
    if (!state.done()) throw RuntimeError("Event loop stopped before Future completed.");
    //@end
    //@end
}

} // namespace aio::detail
