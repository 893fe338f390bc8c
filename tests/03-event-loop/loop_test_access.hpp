// Test-only access to the loop's private phases and bookkeeping, so that each
// exercise of chapter 03 can be graded on its own, before run_once works as a
// whole. EventLoop and ReadyQueue name these structs as friends; only the tests
// define them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

#include <poll.h>

#include "event_loop.hpp"

namespace aio::detail {

struct LoopTestAccess {
    static std::size_t run_ready(EventLoop& loop, std::size_t ntodo) {
        return loop.run_ready(ntodo);
    }
    static void run_callback(EventLoop& loop, Callback& callback) { loop.run_callback(callback); }
    static std::optional<Duration> compute_timeout(EventLoop& loop) {
        return loop.compute_timeout();
    }
    static std::size_t queue_due_timers(EventLoop& loop) { return loop.queue_due_timers(); }
    static std::vector<ReadyEvent> poll_io(EventLoop& loop, std::optional<Duration> timeout) {
        return loop.poll_io(timeout);
    }
    static std::size_t queue_io_callbacks(EventLoop& loop, const std::vector<ReadyEvent>& events) {
        return loop.queue_io_callbacks(events);
    }
    static void dispatch_io(EventLoop& loop, int fd, std::uint32_t id) { loop.dispatch_io(fd, id); }
    static void run_iteration(EventLoop& loop) { loop.run_iteration(); }
    static std::size_t ready_size(const EventLoop& loop) { return loop.ready_.size(); }
    static const Selector& selector(const EventLoop& loop) { return *loop.selector_; }
    static std::unordered_map<int, IoWatcher>& watchers(EventLoop& loop) { return loop.watchers_; }
    static int wakeup_fd(const EventLoop& loop) { return loop.wakeup_.fd(); }
    static Wakeup& wakeup(EventLoop& loop) { return loop.wakeup_; }
};

struct WakeupTestAccess {
    // Runs `hook` at the start of every drain() of `wakeup` (an empty one: none).
    static void before_drain(Wakeup& wakeup, std::function<void()> hook) {
        wakeup.before_drain_ = std::move(hook);
    }
};

struct ReadyQueueTestAccess {
    static Callback* find(ReadyQueue& queue, std::uint64_t ticket) { return queue.find(ticket); }
    static void claim_more_entries_than_slots(ReadyQueue& queue) {
        queue.size_ = queue.ring_.size() + 1;
    }
};

} // namespace aio::detail

namespace looplab {
// Is fd readable right now? (poll with a zero timeout)
inline bool readable_now(int fd) {
    pollfd entry{fd, POLLIN, 0};
    return ::poll(&entry, 1, 0) == 1 && (entry.revents & POLLIN) != 0;
}
} // namespace looplab
