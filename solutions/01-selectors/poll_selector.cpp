// The poll() backend: an array in, the same array with revents out (asyncio:
// selectors.PollSelector).
#include "poll_selector.hpp"

#include <cerrno>
#include <system_error>

namespace aio {

// One poll() over pollfds_, rebuilt from keys() first when stale_; EINTR: false.
// Each entry with a non-zero revents becomes one ReadyEvent holding only the
// key's interests; hang-ups and errors wake every interest (asyncio:
// PollSelector.select, in selectors._PollLikeSelector.select).
bool PollSelector::wait_once(std::optional<Duration> timeout, std::vector<ReadyEvent>& ready) {
    //@scratch ch01.poll_wait
    //@exercise ch01.poll_wait  Rebuild the array if stale, poll(), report entries with revents.
    if (stale_) { // a registration changed since the last wait
        pollfds_.clear();
        pollfds_.reserve(size()); // one allocation at most, none once it fits
        for (const auto& [fd, key] : keys()) {
            short interests = static_cast<short>(((key.events & EVENT_READ) ? POLLIN : 0) |
                                                 ((key.events & EVENT_WRITE) ? POLLOUT : 0));
            pollfds_.push_back(pollfd{fd, interests, 0});
        }
        stale_ = false;
    }
    int count =
        ::poll(pollfds_.data(), static_cast<nfds_t>(pollfds_.size()), detail::timeout_ms(timeout));
    if (count < 0 && errno == EINTR) return false;
    if (count < 0) throw std::system_error(errno, std::generic_category(), "poll");
    for (const pollfd& entry : pollfds_) {
        if (count == 0) break; // count entries have a non-zero revents
        if (entry.revents == 0) continue;
        --count;
        // A hang-up, an error or a closed fd (POLLNVAL) wakes every interest; the
        // read() or write() that follows reports it (asyncio does the same).
        bool failed = (entry.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0;
        unsigned events = ((entry.revents & POLLIN) || failed ? EVENT_READ : 0u) |
                          ((entry.revents & POLLOUT) || failed ? EVENT_WRITE : 0u);
        const SelectorKey& key = *get_key(entry.fd);
        if ((events & key.events) != 0) ready.push_back({entry.fd, events & key.events, key.data});
    }
    return true;
    //@end
    //@end
}

} // namespace aio
