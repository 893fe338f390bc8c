// The epoll backend (Linux): the interest set lives in the kernel, changed one fd at
// a time; a wait returns only the ready fds (asyncio: selectors.EpollSelector).
#pragma once
#ifdef __linux__

#include <sys/epoll.h>

#include <cstdint>

#include "selector.hpp"

namespace aio {

// A wait costs O(ready fds), whatever the number registered: the kernel keeps the
// interest set between calls and queues an fd on its ready list when it becomes
// ready, so epoll_wait only copies that list out.
//
// The kernel keys a registration by (open file, fd number), not by the number
// alone, and drops it by itself only when the file's LAST descriptor is closed. So
// an fd closed while registered leaves either nothing behind (EPOLL_CTL_DEL then
// fails with EBADF, or with ENOENT once the number names a new file) or, when the
// file is still open elsewhere (dup, fork), a "ghost" registration that no fd
// number reaches any more and that keeps reporting its events. What the kit does:
//   - unregister() treats EBADF and ENOENT as "already gone" and drops the key, so
//     the number can be registered again;
//   - every registration gets a fresh tag, stored beside the fd in the kernel's
//     epoll_data; an event whose tag is not the fd's current one comes from a ghost
//     and is dropped, so it never reaches a new registration of the same number.
//   - unregister() counts every such fd as a possible ghost, and the wait keeps a
//     buffer slot for each, so that ghosts never crowd live fds out of a wait.
// A ghost still wakes epoll_wait (a select() may then return early with nothing):
// unregister BEFORE close is the rule; the kit only keeps the damage out of sight.
class EpollSelector final : public Selector {
public:
    EpollSelector(); // std::system_error if epoll_create1 fails
    ~EpollSelector() override;
    std::string_view name() const override { return "epoll"; }
    int fileno() const { return epfd_; } // asyncio: EpollSelector.fileno()

protected:
    void on_register(const SelectorKey& key) override;
    void on_modify(const SelectorKey& old_key, const SelectorKey& key) override;
    void on_unregister(const SelectorKey& key) override;
    bool wait_once(std::optional<Duration> timeout, std::vector<ReadyEvent>& ready) override;

private:
    void control(int op, const SelectorKey& key);

    int epfd_;
    // Where epoll_wait writes the ready events: one slot per registered fd (and
    // per possible ghost), so that one wait returns every ready fd. Reused by
    // every wait; it grows (one allocation) only when the registrations outgrow
    // it, and never shrinks.
    std::vector<epoll_event> buffer_;
    std::unordered_map<int, std::uint32_t> tags_; // fd -> the tag of its registration
    // The next registration's tag, and the unregisters that found their fd closed
    // (EBADF/ENOENT), each a possible ghost. (maybe_unused: in a fresh lesson only
    // the learner's code uses them.)
    [[maybe_unused]] std::uint32_t next_tag_ = 1;
    [[maybe_unused]] std::size_t possible_ghosts_ = 0;
};

namespace detail {
// The 64 bits of epoll_data the kernel hands back: the fd number and the tag.
inline std::uint64_t pack_epoll_data(int fd, std::uint32_t tag) {
    return (std::uint64_t{tag} << 32) | static_cast<std::uint32_t>(fd);
}
inline int fd_of(std::uint64_t data) {
    return static_cast<int>(data & 0xffff'ffffu);
}
inline std::uint32_t tag_of(std::uint64_t data) {
    return static_cast<std::uint32_t>(data >> 32);
}
} // namespace detail

} // namespace aio

#endif // __linux__
