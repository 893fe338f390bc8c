// The ready queue: the FIFO of callbacks due to run on the next pass (asyncio:
// loop._ready, a collections.deque of Handles), as a growable ring buffer.
#pragma once

#include <cassert>
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
//
// Invariants (check() asserts them): the capacity is a power of two, so that
// "& mask()" wraps an index; size_ <= capacity; the queued entries are the
// size_ slots from head_ on, wrapping; every other slot is empty, so that push
// can swap a callback in; tickets popped_ .. popped_ + size_ - 1 are queued.
class ReadyQueue {
public:
    ReadyQueue() : ring_(initial_capacity) {}

    // Appends at the back; returns the entry's ticket. The hot path of call_soon:
    // swap, not move, into the (empty) slot, and no allocation unless full.
    std::uint64_t push(Callback&& callback) {
        //@scratch ch03.ready_push
        //@exercise ch03.ready_push  Append at the back (grow when full); return the ticket.
        if (size_ == ring_.size()) grow();
        ring_[(head_ + size_) & mask()].swap(callback);
        ++size_;
        return popped_ + size_ - 1;
        //@end
        //@end
    }

    // Removes the front entry and returns it; an empty result was cancelled.
    // Precondition: !empty().
    Callback pop() {
        //@scratch ch03.ready_pop
        //@exercise ch03.ready_pop  Take the front entry out, leaving its slot empty, and return it.
        Callback entry;
        entry.swap(ring_[head_]); // leaves the slot empty, as push expects
        head_ = (head_ + 1) & mask();
        --size_;
        ++popped_;
        return entry;
        //@end
        //@end
    }

    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }

    // Drops the callback of a still-queued entry; false once it left the queue.
    bool cancel(std::uint64_t ticket) {
        //@scratch ch03.ready_cancel
        check();
        //@exercise ch03.ready_cancel  Empty the queued entry with this ticket; false if none.
        Callback* entry = find(ticket);
        if (entry == nullptr) return false;
        *entry = nullptr;
        return true;
        //@end
        //@end
    }
    bool cancelled(std::uint64_t ticket) const {
        check();
        const Callback* entry = const_cast<ReadyQueue*>(this)->find(ticket);
        return entry != nullptr && !*entry;
    }

    // Empties the queue; the tickets handed out so far all count as gone.
    void clear() {
        while (!empty())
            pop();
        check();
    }

    // Asserts the invariants above (debug builds; O(1)).
    void check() const {
        assert(ring_.size() != 0 && (ring_.size() & (ring_.size() - 1)) == 0 &&
               "ReadyQueue: the capacity must be a power of two");
        assert(size_ <= ring_.size() && "ReadyQueue: more entries than slots");
        assert(head_ < ring_.size() && "ReadyQueue: head_ outside the ring");
        assert((size_ == ring_.size() || !ring_[(head_ + size_) & mask()]) &&
               "ReadyQueue: the slot after the back must be empty (pop must swap its entry out)");
    }

private:
    friend struct ReadyQueueTestAccess; // tests only: breaks an invariant on purpose
    static constexpr std::size_t initial_capacity = 64;

    std::size_t mask() const { return ring_.size() - 1; }

    // The queued entry with this ticket, or nullptr when it is not queued (any
    // more, or yet).
    Callback* find(std::uint64_t ticket) {
        //@scratch ch03.ready_find
        //@exercise ch03.ready_find  Return the queued entry with this ticket, or nullptr.
        if (ticket < popped_ || ticket >= popped_ + size_) return nullptr;
        return &ring_[(head_ + (ticket - popped_)) & mask()];
        //@end
        //@end
    }

    // Doubles the capacity, keeping FIFO order and the tickets.
    void grow() {
        //@scratch ch03.ready_grow
        //@exercise ch03.ready_grow  Double the ring, moving the entries to its start in order.
        std::vector<Callback> bigger(ring_.size() * 2);
        for (std::size_t i = 0; i < size_; ++i)
            bigger[i].swap(ring_[(head_ + i) & mask()]);
        ring_.swap(bigger);
        head_ = 0;
        //@end
        //@end
    }

    std::vector<Callback> ring_; // capacity: a power of two, at least initial_capacity
    std::size_t head_ = 0;       // index of the oldest entry
    std::size_t size_ = 0;
    std::uint64_t popped_ = 0; // tickets below this have left the queue
};

} // namespace aio::detail
