// The loop's half of the executor bridge: the link workers post through and
// the table of calls in flight (asyncio: loop._default_executor,
// futures._chain_future's call_soon_threadsafe).
#include "loop_bridge.hpp"

namespace aio::detail {

bool LoopLink::post(Callback callback) {
    //@scratch ch09.post
    //@exercise ch09.post  Locked: a cut link or a closed loop drops it; else post it.
    std::lock_guard<std::mutex> lock(mutex_);
    if (loop_ == nullptr) return false;
    try {
        loop_->call_soon_threadsafe(std::move(callback));
    } catch (const RuntimeError&) {
        return false; // closed between our check and the post: dropped
    }
    return true;
    //@end
    //@end
}

void LoopLink::cut() {
    std::lock_guard<std::mutex> lock(mutex_);
    loop_ = nullptr;
}

ExecutorBridge::ExecutorBridge(EventLoop& loop) : link_(std::make_shared<LoopLink>(loop)) {}

ExecutorBridge::~ExecutorBridge() {
    link_->cut();
    if (default_executor_) default_executor_->shutdown(true, true);
}

ThreadPoolExecutor& ExecutorBridge::default_executor() {
    if (!default_executor_) default_executor_ = std::make_unique<ThreadPoolExecutor>();
    return *default_executor_;
}

std::uint64_t ExecutorBridge::add(Callback settle) {
    std::uint64_t id = next_id_++;
    waiting_.emplace(id, std::move(settle));
    return id;
}

void ExecutorBridge::settle(std::uint64_t id) {
    auto found = waiting_.find(id);
    if (found == waiting_.end()) return; // forgotten: its future was cancelled first
    Callback settle = std::move(found->second);
    waiting_.erase(found);
    settle();
}

} // namespace aio::detail
