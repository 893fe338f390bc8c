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

// (maybe_unused: the fresh lesson calls it only once control() is written.)
[[noreturn, maybe_unused]] void throw_epoll_ctl(int op, int fd) {
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

EpollSelector::EpollSelector() : epfd_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (epfd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
}

EpollSelector::~EpollSelector() {
    ::close(epfd_);
}

void EpollSelector::on_register(const SelectorKey& key) {
    control(EPOLL_CTL_ADD, key);
}

void EpollSelector::on_modify(const SelectorKey&, const SelectorKey& key) {
    control(EPOLL_CTL_MOD, key);
}

// The kernel's copy of one registration: the interests, and epoll_data packed
// with pack_epoll_data (the kernel returns it untouched with each event). A new
// registration (EPOLL_CTL_ADD) gets a fresh tag; a modify keeps the fd's tag.
void EpollSelector::control(int op, const SelectorKey& key) {
    //@scratch ch01.epoll_ctl
    //@exercise ch01.epoll_ctl  Hand the kernel key's interests, fd and tag (new per ADD).
    std::uint32_t tag = op == EPOLL_CTL_ADD ? next_tag_++ : tags_.at(key.fd);
    epoll_event event{};
    event.events =
        ((key.events & EVENT_READ) ? EPOLLIN : 0u) | ((key.events & EVENT_WRITE) ? EPOLLOUT : 0u);
    event.data.u64 = detail::pack_epoll_data(key.fd, tag);
    if (::epoll_ctl(epfd_, op, key.fd, &event) != 0) throw_epoll_ctl(op, key.fd);
    tags_[key.fd] = tag;
    //@end
    //@end
}

// EBADF: the fd was closed (the kernel dropped the registration with the file, or a
// ghost stays that no number reaches). ENOENT: the number now names another file,
// which this epoll never held. Either way nothing is left that we could remove:
// forget the fd, so that its number can be registered again. The kernel may still
// hold it as a ghost (the file open elsewhere): count it, so that wait_once keeps
// a buffer slot for its events and a ghost never crowds out a live fd.
void EpollSelector::on_unregister(const SelectorKey& key) {
    //@scratch ch01.epoll_unregister
    //@exercise ch01.epoll_unregister  Take fd out of the kernel; closed is not an error.
    if (::epoll_ctl(epfd_, EPOLL_CTL_DEL, key.fd, nullptr) != 0) {
        if (errno != EBADF && errno != ENOENT) throw_epoll_ctl(EPOLL_CTL_DEL, key.fd);
        ++possible_ghosts_;
    }
    tags_.erase(key.fd);
    //@end
    //@end
}

// One epoll_wait into buffer_, sized first so that one call returns everything
// ready: a slot per registered fd and per possible ghost, at least one (asyncio:
// EpollSelector.select passes max_ev = max(len(self._fd_to_key), 1)). EINTR:
// false. An event whose (fd, tag) is not a current registration is a ghost's:
// dropped. Hang-ups and errors wake every interest, as in poll.
bool EpollSelector::wait_once(std::optional<Duration> timeout, std::vector<ReadyEvent>& ready) {
    //@scratch ch01.epoll_wait
    //@exercise ch01.epoll_wait  Wait with a slot per registration; skip ghosts' events.
    // A slot per registration, and per ghost the kernel may still report; maxevents >= 1.
    std::size_t wanted = std::max<std::size_t>(size() + possible_ghosts_, 1);
    if (buffer_.size() < wanted) buffer_.resize(wanted); // grows with the registrations only
    int count = ::epoll_wait(epfd_, buffer_.data(), static_cast<int>(buffer_.size()),
                             detail::timeout_ms(timeout));
    if (count < 0 && errno == EINTR) return false;
    if (count < 0) throw std::system_error(errno, std::generic_category(), "epoll_wait");
    for (const epoll_event& event : std::span(buffer_.data(), static_cast<std::size_t>(count))) {
        int fd = detail::fd_of(event.data.u64);
        auto tag = tags_.find(fd);
        if (tag == tags_.end() || tag->second != detail::tag_of(event.data.u64))
            continue; // a ghost
        const SelectorKey& key = *get_key(fd);
        // A hang-up or an error wakes every interest; the read() or write() that
        // follows reports it (asyncio does the same).
        bool failed = (event.events & (EPOLLERR | EPOLLHUP)) != 0;
        unsigned events = ((event.events & EPOLLIN) || failed ? EVENT_READ : 0u) |
                          ((event.events & EPOLLOUT) || failed ? EVENT_WRITE : 0u);
        if ((events & key.events) != 0) ready.push_back({fd, events & key.events, key.data});
    }
    return true;
    //@end
    //@end
}

} // namespace aio
#endif // __linux__
