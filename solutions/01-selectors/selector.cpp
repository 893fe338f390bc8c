// The bookkeeping every selector shares: the checks, the keys, and the wait that
// survives signals (asyncio: selectors._BaseSelectorImpl).
#include "selector.hpp"

#include <string>

namespace aio {

namespace {

[[maybe_unused]] constexpr unsigned all_events = EVENT_READ | EVENT_WRITE;

// (maybe_unused: the fresh lesson does not call it until checked_key is written.)
[[maybe_unused]] std::string fd_text(const char* call, int fd) {
    return std::string(call) + ": fd " + std::to_string(fd);
}

} // namespace

// The checks of register_fd, modify and unregister, before anything changes
// (asyncio: _BaseSelectorImpl.register/modify/unregister and _fileobj_lookup).
// Returns the fd's key, or nullptr for a register_fd that may go ahead.
// The order, and so which error a call with two faults gets:
//   register:   fd < 0 (ValueError), then already registered (KeyError), then events;
//   modify:     not registered (KeyError), then events (ValueError);
//   unregister: not registered (KeyError); `events` is not looked at.
const SelectorKey* Selector::checked_key(Call call, int fd, unsigned events) const {
    //@scratch ch01.validate
    [[maybe_unused]] const char* name = call == Call::register_fd ? "register"
                                        : call == Call::modify    ? "modify"
                                                                  : "unregister";
    //@exercise ch01.validate  Check fd, key and events in order; throw the helpful error.
    const SelectorKey* key = get_key(fd);
    if (call == Call::register_fd) {
        if (fd < 0) throw ValueError(fd_text(name, fd) + " is not a valid file descriptor");
        if (key != nullptr)
            throw KeyError(fd_text(name, fd) + " is already registered; use modify()");
    } else if (key == nullptr) {
        throw KeyError(fd_text(name, fd) + " is not registered; use register_fd() first");
    }
    if (call != Call::unregister && (events == 0 || (events & ~all_events) != 0))
        throw ValueError(fd_text(name, fd) + ": invalid events " + std::to_string(events) +
                         "; use EVENT_READ, EVENT_WRITE or EVENT_READ | EVENT_WRITE");
    return key;
    //@end
    //@end
}

void Selector::register_fd(int fd, unsigned events, void* data) {
    checked_key(Call::register_fd, fd, events);
    SelectorKey key{fd, events, data};
    on_register(key); // the backend first: if it refuses the fd, nothing changed
    keys_.emplace(fd, key);
}

void Selector::modify(int fd, unsigned events, void* data) {
    const SelectorKey* old_key = checked_key(Call::modify, fd, events);
    SelectorKey key{fd, events, data};
    // New data alone changes nothing in the kernel (asyncio: the shortcut in modify).
    if (events != old_key->events) on_modify(*old_key, key);
    keys_[fd] = key;
}

void Selector::unregister(int fd) {
    const SelectorKey* key = checked_key(Call::unregister, fd, 0);
    on_unregister(*key);
    keys_.erase(fd);
}

const SelectorKey* Selector::get_key(int fd) const {
    auto found = keys_.find(fd);
    return found == keys_.end() ? nullptr : &found->second;
}

// A signal handled during the wait makes the call fail with EINTR: the kernel never
// restarts select, poll or epoll_wait, SA_RESTART or not (signal(7)). We wait again
// for the time LEFT (PEP 475): restarting the full timeout would let a steady stream
// of signals postpone the deadline forever.
std::vector<ReadyEvent> Selector::select(std::optional<Duration> timeout) {
    //@scratch ch01.retry_eintr
    //@exercise ch01.retry_eintr  Wait; after EINTR wait again for the time left.
    if (timeout) timeout = std::clamp(*timeout, Duration::zero(), detail::longest_wait);
    std::optional<TimePoint> deadline; // none: block, or only look (no clock read)
    if (timeout && *timeout > Duration::zero()) deadline = Clock::now() + *timeout;
    std::vector<ReadyEvent> ready;
    while (!wait_once(timeout, ready)) {
        if (deadline) timeout = std::max(*deadline - Clock::now(), Duration::zero());
    }
    return ready;
    //@end
    //@end
}

} // namespace aio
