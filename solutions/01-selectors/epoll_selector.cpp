// The epoll backend (Linux): epoll_ctl keeps the interest set in the kernel,
// epoll_wait returns the ready list (asyncio: selectors.EpollSelector).
#ifdef __linux__
#include "epoll_selector.hpp"

#include <unistd.h>

#include <cerrno>
#include <span>
#include <string>
#include <system_error>

namespace aio {

namespace {

constexpr std::size_t first_buffer_size = 64;

[[noreturn]] void throw_epoll_ctl(int op, int fd) {
    int error = errno;
    const char* name = op == EPOLL_CTL_ADD ? "ADD" : op == EPOLL_CTL_MOD ? "MOD" : "DEL";
    std::string what = std::string("epoll_ctl ") + name + " fd " + std::to_string(fd);
    if (error == EPERM) // asyncio's EpollSelector raises PermissionError here
        throw ValueError(what + ": epoll cannot watch a regular file or directory (it is always "
                                "ready); read it directly, or use the poll selector");
    if (error == EBADF || error == ENOENT) what += " (closed while registered? unregister first)";
    throw std::system_error(error, std::generic_category(), what);
}

} // namespace

EpollSelector::EpollSelector() : epfd_(::epoll_create1(EPOLL_CLOEXEC)), buffer_(first_buffer_size) {
    if (epfd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
}

EpollSelector::~EpollSelector() {
    ::close(epfd_);
}

void EpollSelector::on_register(const SelectorKey& key) {
    std::uint32_t tag = next_tag_++;
    control(EPOLL_CTL_ADD, key, tag);
    tags_[key.fd] = tag;
}

void EpollSelector::on_modify(const SelectorKey&, const SelectorKey& key) {
    control(EPOLL_CTL_MOD, key, tags_.at(key.fd));
}

// The kernel's copy of one registration: the interests, and epoll_data packed
// with pack_epoll_data (the kernel returns it untouched with each event).
void EpollSelector::control(int op, const SelectorKey& key, std::uint32_t tag) {
    //@exercise ch01.epoll_ctl  Fill an epoll_event (interests, fd + tag) and call epoll_ctl.
    epoll_event event{};
    event.events =
        ((key.events & EVENT_READ) ? EPOLLIN : 0u) | ((key.events & EVENT_WRITE) ? EPOLLOUT : 0u);
    event.data.u64 = detail::pack_epoll_data(key.fd, tag);
    if (::epoll_ctl(epfd_, op, key.fd, &event) != 0) throw_epoll_ctl(op, key.fd);
    //@end
}

// EBADF: the fd was closed (the kernel dropped the registration with the file, or a
// ghost stays that no number reaches). ENOENT: the number now names another file,
// which this epoll never held. Either way nothing is left that we could remove:
// forget the fd, so that its number can be registered again.
void EpollSelector::on_unregister(const SelectorKey& key) {
    //@exercise ch01.epoll_unregister  EPOLL_CTL_DEL; EBADF/ENOENT: already gone. Drop the tag.
    if (::epoll_ctl(epfd_, EPOLL_CTL_DEL, key.fd, nullptr) != 0 && errno != EBADF &&
        errno != ENOENT)
        throw_epoll_ctl(EPOLL_CTL_DEL, key.fd);
    tags_.erase(key.fd);
    //@end
}

// The key an event belongs to; nullptr for a ghost's event (its fd has no
// registration now, or one with another tag).
const SelectorKey* EpollSelector::current_key(std::uint64_t data) const {
    auto tag = tags_.find(detail::fd_of(data));
    if (tag == tags_.end() || tag->second != detail::tag_of(data)) return nullptr;
    return get_key(tag->first);
}

// asyncio: EpollSelector.select, which sizes its buffer to every registered fd instead.
bool EpollSelector::wait_once(std::optional<Duration> timeout, std::vector<ReadyEvent>& ready) {
    //@exercise ch01.epoll_wait  epoll_wait, EINTR: false; skip ghosts' events, map the rest.
    int count = ::epoll_wait(epfd_, buffer_.data(), static_cast<int>(buffer_.size()),
                             detail::timeout_ms(timeout));
    if (count < 0 && errno == EINTR) return false;
    if (count < 0) throw std::system_error(errno, std::generic_category(), "epoll_wait");
    for (const epoll_event& event : std::span(buffer_.data(), static_cast<std::size_t>(count))) {
        const SelectorKey* key = current_key(event.data.u64);
        if (key == nullptr) continue;
        // A hang-up or an error wakes every interest; the read() or write() that
        // follows reports it (asyncio does the same).
        bool failed = (event.events & (EPOLLERR | EPOLLHUP)) != 0;
        unsigned events = ((event.events & EPOLLIN) || failed ? EVENT_READ : 0u) |
                          ((event.events & EPOLLOUT) || failed ? EVENT_WRITE : 0u);
        if ((events & key->events) != 0)
            ready.push_back({key->fd, events & key->events, key->data});
    }
    // Level-triggered: fds that did not fit are still ready and come next time;
    // a bigger buffer makes that rarer.
    if (static_cast<std::size_t>(count) == buffer_.size() && buffer_.size() < size())
        buffer_.resize(buffer_.size() * 2);
    return true;
    //@end
}

} // namespace aio
#endif // __linux__
