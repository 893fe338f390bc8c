// The queues of asyncio.queues: Queue, PriorityQueue, LifoQueue. The two
// subclasses change only where items go (asyncio: their _put and _get).
#pragma once

#include <algorithm>
#include <functional>

#include "queue.hpp"

namespace aio {

// Smallest first, as heapq: items_ kept as a binary heap under Compare. Equal
// items come out in no fixed order; add a sequence number for FIFO ties.
template <class T, class Compare = std::less<T>>
class PriorityQueue : public Queue<T> {
public:
    explicit PriorityQueue(std::size_t maxsize = 0, Compare compare = Compare())
        : Queue<T>(maxsize), compare_(std::move(compare)) {}

protected:
    void push_item(T item) override {
        //@scratch ch08.priority
        //@exercise ch08.priority  Add at the end and restore the heap, smallest on top.
        this->items_.push_back(std::move(item));
        std::push_heap(this->items_.begin(), this->items_.end(), greater());
        //@end
        //@end
    }
    T pop_item() override {
        std::pop_heap(this->items_.begin(), this->items_.end(), greater());
        T item = std::move(this->items_.back());
        this->items_.pop_back();
        return item;
    }

private:
    // The std heap functions keep the LARGEST on top; inverting the order
    // keeps the smallest there.
    auto greater() const {
        return [this](const T& a, const T& b) { return compare_(b, a); };
    }

    Compare compare_;
};

// Last in, first out.
template <class T>
class LifoQueue : public Queue<T> {
public:
    using Queue<T>::Queue;

protected:
    T pop_item() override {
        T item = std::move(this->items_.back());
        this->items_.pop_back();
        return item;
    }
};

} // namespace aio
