// The select() backend: bitmaps in, bitmaps out (asyncio: selectors.SelectSelector).
#include "select_selector.hpp"

#include <cerrno>
#include <string>
#include <system_error>

namespace aio {

SelectSelector::SelectSelector() {
    FD_ZERO(&readers_);
    FD_ZERO(&writers_);
}

void SelectSelector::on_register(const SelectorKey& key) {
    // FD_SET past the end of the bitmap would write over memory that is not ours.
    if (key.fd >= FD_SETSIZE)
        throw ValueError("register: fd " + std::to_string(key.fd) +
                         " is too large for select() (FD_SETSIZE is " + std::to_string(FD_SETSIZE) +
                         "); use make_selector(\"poll\") or make_selector(\"epoll\")");
    set_interest(key.fd, key.events);
}

void SelectSelector::on_modify(const SelectorKey&, const SelectorKey& key) {
    set_interest(key.fd, key.events);
}

void SelectSelector::on_unregister(const SelectorKey& key) {
    set_interest(key.fd, 0);
}

unsigned SelectSelector::watched(int fd) const {
    if (fd < 0 || fd >= FD_SETSIZE) return 0;
    return (FD_ISSET(fd, &readers_) ? EVENT_READ : 0u) |
           (FD_ISSET(fd, &writers_) ? EVENT_WRITE : 0u);
}

// Sets fd's bits in the two bitmaps to `events` and keeps max_fd_ the highest
// fd still watched: it walks down only when the highest fd leaves.
void SelectSelector::set_interest(int fd, unsigned events) {
    //@scratch ch01.select_interest
    //@exercise ch01.select_interest  Set fd's bits to events; keep max_fd_ the highest fd.
    FD_CLR(fd, &readers_);
    FD_CLR(fd, &writers_);
    if (events & EVENT_READ) FD_SET(fd, &readers_);
    if (events & EVENT_WRITE) FD_SET(fd, &writers_);
    if (events != 0) max_fd_ = std::max(max_fd_, fd);
    while (max_fd_ >= 0 && !FD_ISSET(max_fd_, &readers_) && !FD_ISSET(max_fd_, &writers_))
        --max_fd_;
    //@end
    //@end
}

// One select() on COPIES of the bitmaps (it overwrites its arguments with the
// answer), its timeout a timeval rounded UP to microseconds (nullptr blocks);
// EINTR: false. Then one ReadyEvent per fd set in either answer, both bits in one
// event (asyncio: SelectSelector.select).
bool SelectSelector::wait_once(std::optional<Duration> timeout, std::vector<ReadyEvent>& ready) {
    //@scratch ch01.select_wait
    //@exercise ch01.select_wait  select() on copies of the bitmaps; report each ready fd.
    timeval storage{};        // the timeout in whole microseconds, rounded UP
    timeval* limit = nullptr; // nullptr blocks
    if (timeout) {
        auto us = std::chrono::ceil<std::chrono::microseconds>(*timeout).count();
        storage.tv_sec = static_cast<decltype(storage.tv_sec)>(us / 1'000'000);
        storage.tv_usec = static_cast<decltype(storage.tv_usec)>(us % 1'000'000);
        limit = &storage;
    }
    fd_set readable = readers_; // select overwrites its arguments with the answer
    fd_set writable = writers_;
    int count = ::select(max_fd_ + 1, &readable, &writable, nullptr, limit);
    if (count < 0 && errno == EINTR) return false;
    if (count < 0) throw std::system_error(errno, std::generic_category(), "select");
    // count is the number of bits set; stop scanning once they are all found.
    for (int fd = 0; fd <= max_fd_ && count > 0; ++fd) {
        unsigned events = (FD_ISSET(fd, &readable) ? EVENT_READ : 0u) |
                          (FD_ISSET(fd, &writable) ? EVENT_WRITE : 0u);
        if (events == 0) continue;
        count -= events == (EVENT_READ | EVENT_WRITE) ? 2 : 1;
        ready.push_back({fd, events, get_key(fd)->data});
    }
    return true;
    //@end
    //@end
}

} // namespace aio
