// The selector interface: which registered fds are ready, asked of the kernel through
// select, poll or epoll behind one class (asyncio: selectors.BaseSelector).
#pragma once

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "aio_base.hpp"

namespace aio {

// What a program may wait for on an fd (the names of Python's selectors module).
enum : unsigned { EVENT_READ = 1, EVENT_WRITE = 2 };

// One registration: the fd, the interests, and an opaque pointer the selector hands
// back with every ready event (asyncio: selectors.SelectorKey; the loop's data is
// its (reader, writer) handle pair, ours is the loop's watcher for the fd).
struct SelectorKey {
    int fd;
    unsigned events;
    void* data;
};

// One ready fd. `events` holds only interests the fd is registered for: a hang-up
// or an error on an fd registered for reading reports EVENT_READ, and the read()
// that follows tells the program what happened (0 bytes: end of file; -1: the error).
struct ReadyEvent {
    int fd;
    unsigned events;
    void* data;
};

// The registrations and the checks every backend shares (asyncio:
// selectors._BaseSelectorImpl). A backend says how it tells the kernel (the
// protected hooks) and how it waits (wait_once); it never touches the keys.
//
// Level-triggered, as asyncio: an fd stays ready, and is reported on every
// select(), until the program reads (or writes) what made it ready.
//
// Close an fd only after unregistering it. unregister() still works when the fd
// was closed first, even when its number already names a new file (see epoll).
class Selector {
public:
    Selector() = default;
    Selector(const Selector&) = delete;
    Selector& operator=(const Selector&) = delete;
    virtual ~Selector() = default;

    // KeyError if fd is registered already ("use modify()"); ValueError for fd < 0,
    // for events that are 0 or hold bits other than EVENT_READ | EVENT_WRITE, or for
    // an fd the backend cannot watch (select: fd >= FD_SETSIZE).
    virtual void register_fd(int fd, unsigned events, void* data = nullptr);
    // KeyError if fd is not registered; ValueError for invalid events.
    virtual void modify(int fd, unsigned events, void* data = nullptr);
    // KeyError if fd is not registered. Works after the fd was closed.
    virtual void unregister(int fd);

    // Waits until a registered fd is ready or the timeout passes: nullopt blocks,
    // zero or negative only looks. A signal does not cut the wait short: it goes on
    // for the time left (asyncio gets this from PEP 475). Timeouts are rounded up to
    // the backend's resolution, so the wait is never shorter than asked.
    virtual std::vector<ReadyEvent> select(std::optional<Duration> timeout);

    // The registration of fd, or nullptr. The pointer stays valid until unregister(fd).
    const SelectorKey* get_key(int fd) const;
    std::size_t size() const { return keys_.size(); }
    virtual std::string_view name() const = 0; // "select", "poll", "epoll"

protected:
    // The backend's side of each change. Called after the checks and before the
    // keys change: if a hook throws, the selector is exactly as it was.
    virtual void on_register(const SelectorKey& key) = 0;
    virtual void on_modify(const SelectorKey& old_key, const SelectorKey& key) = 0;
    virtual void on_unregister(const SelectorKey& key) = 0; // the fd may be closed already

    // One wait in the kernel, at most `timeout` (nullopt: no limit; never negative).
    // Appends what is ready and returns true, or returns false, appending nothing,
    // when a signal interrupted the wait (EINTR). Other failures: std::system_error.
    virtual bool wait_once(std::optional<Duration> timeout, std::vector<ReadyEvent>& ready) = 0;

    const std::unordered_map<int, SelectorKey>& keys() const { return keys_; }

private:
    enum class Call { register_fd, modify, unregister };
    const SelectorKey* checked_key(Call call, int fd, unsigned events) const;

    std::unordered_map<int, SelectorKey> keys_; // fd -> its registration
};

// "default" (epoll on Linux, poll elsewhere), "select", "poll", "epoll" (Linux only).
// ValueError for any other name (asyncio: selectors.DefaultSelector).
std::unique_ptr<Selector> make_selector(std::string_view name = "default");

namespace detail {

// The longest single wait: poll and epoll take an int of milliseconds (24.8 days at
// most). A loop never asks for more than a day (chapter 03); a longer wait ends early
// and returns no events, which a caller must expect from any wait anyway.
inline constexpr Duration longest_wait = std::chrono::hours(24 * 24);

// poll/epoll_wait's timeout argument: -1 blocks; rounded UP to whole milliseconds
// so that the wait is never shorter than asked (asyncio: math.ceil in PollSelector).
inline int timeout_ms(std::optional<Duration> timeout) {
    //@scratch ch01.timeouts
    //@exercise ch01.timeouts  Duration to poll's int milliseconds: -1 blocks, round up.
    if (!timeout) return -1;
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(*timeout).count();
    return static_cast<int>(std::clamp<decltype(ms)>(ms, 0, INT_MAX));
    //@end
    //@end
}

} // namespace detail

} // namespace aio
