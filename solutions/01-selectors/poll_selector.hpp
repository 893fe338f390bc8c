// The poll() backend: an array of (fd, interests) handed to the kernel on every
// call (asyncio: selectors.PollSelector).
#pragma once

#include <poll.h>

#include "selector.hpp"

namespace aio {

// No FD_SETSIZE limit, but still O(n) per call: the kernel copies in the whole
// array, checks every fd, and writes every entry's revents back.
class PollSelector final : public Selector {
public:
    std::string_view name() const override { return "poll"; }

protected:
    // poll() keeps nothing in the kernel between calls: a change only marks the
    // array stale, and the next wait rebuilds it from keys(), once.
    void on_register(const SelectorKey&) override { stale_ = true; }
    void on_modify(const SelectorKey&, const SelectorKey&) override { stale_ = true; }
    void on_unregister(const SelectorKey&) override { stale_ = true; }
    bool wait_once(std::optional<Duration> timeout, std::vector<ReadyEvent>& ready) override;

private:
    // What poll() reads (fd, events) and writes (revents). Reused from call to call:
    // a zero-timeout poll in every loop iteration neither allocates nor rebuilds.
    std::vector<pollfd> pollfds_;
    bool stale_ = false;
};

} // namespace aio
