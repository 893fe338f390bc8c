// The ready queue: the FIFO of callbacks due to run on the next pass (asyncio:
// loop._ready, a collections.deque of Handles), as a growable ring buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "aio_base.hpp"

namespace aio::detail {

// A ring buffer rather than std::deque: no allocation once it has grown to the
// loop's working size (a deque frees and allocates a block every few entries).
// An entry is just its Callback; an empty one means "cancelled" (asyncio's
// Handle.cancel() sets _callback to None as well, so the captures die early).
//
// Every entry gets a ticket, its position in the stream of all entries ever
// pushed. A Handle is just (queue, ticket): call_soon allocates nothing for it,
// and cancel() finds a still-queued entry at index ticket - popped_.
class ReadyQueue {
public:
    // The hot path of call_soon. Swaps, not moves: a slot outside the queued
    // range is always empty (pop swaps its callback out), so a swap is a move
    // without the temporary that std::function's move assignment builds.
    std::uint64_t push(Callback&& callback) {
        if (size_ == ring_.size()) grow();
        ring_[(head_ + size_) & (ring_.size() - 1)].swap(callback);
        ++size_;
        return popped_ + size_ - 1;
    }

    Callback pop() { // precondition: !empty(); an empty result was cancelled
        Callback entry;
        entry.swap(ring_[head_]); // leaves the slot empty, as push expects
        head_ = (head_ + 1) & (ring_.size() - 1);
        --size_;
        ++popped_;
        return entry;
    }

    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }

    // Drops the callback of a still-queued entry; false once it left the queue.
    bool cancel(std::uint64_t ticket) {
        Callback* entry = find(ticket);
        if (entry == nullptr) return false;
        *entry = nullptr;
        return true;
    }
    bool cancelled(std::uint64_t ticket) const {
        const Callback* entry = const_cast<ReadyQueue*>(this)->find(ticket);
        return entry != nullptr && !*entry;
    }

    // Empties the queue; the tickets handed out so far all count as gone.
    void clear() {
        while (!empty())
            pop();
    }

private:
    Callback* find(std::uint64_t ticket) {
        if (ticket < popped_ || ticket >= popped_ + size_) return nullptr;
        return &ring_[(head_ + (ticket - popped_)) & (ring_.size() - 1)];
    }

    void grow() { // doubles the capacity, keeping FIFO order; capacity stays a power of two
        std::vector<Callback> bigger(ring_.empty() ? 64 : ring_.size() * 2);
        for (std::size_t i = 0; i < size_; ++i)
            bigger[i] = std::move(ring_[(head_ + i) & (ring_.size() - 1)]);
        ring_ = std::move(bigger);
        head_ = 0;
    }

    std::vector<Callback> ring_; // capacity: 0 or a power of two
    std::size_t head_ = 0;       // index of the oldest entry
    std::size_t size_ = 0;
    std::uint64_t popped_ = 0; // tickets below this have left the queue
};

} // namespace aio::detail
