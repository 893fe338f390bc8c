// The select() backend: the interest set as two bitmaps, copied into the kernel on
// every call (asyncio: selectors.SelectSelector).
#pragma once

#include <sys/select.h>

#include "selector.hpp"

namespace aio {

// select() takes bitmaps of fd numbers, so it cannot watch an fd numbered
// FD_SETSIZE (1024) or above: register_fd refuses one with a ValueError.
// Each call costs O(highest fd): the kernel reads, and overwrites, bitmaps that
// long, and we scan them for the answer.
class SelectSelector final : public Selector {
public:
    SelectSelector();
    std::string_view name() const override { return "select"; }

    // What the interest bitmaps hold, for tests and the curious: the EVENT_ bits
    // fd is watched for, and the highest watched fd (-1: none).
    unsigned watched(int fd) const;
    int max_fd() const { return max_fd_; }

protected:
    void on_register(const SelectorKey& key) override;
    void on_modify(const SelectorKey& old_key, const SelectorKey& key) override;
    void on_unregister(const SelectorKey& key) override;
    bool wait_once(std::optional<Duration> timeout, std::vector<ReadyEvent>& ready) override;

private:
    void set_interest(int fd, unsigned events); // 0: stop watching fd

    // The interest set, kept up to date by the hooks; wait_once hands select copies.
    // Invariant: max_fd_ is the highest fd set in either bitmap, -1 when none is.
    fd_set readers_;
    fd_set writers_;
    int max_fd_ = -1; // the highest registered fd: select's first argument is max_fd_ + 1
};

} // namespace aio
